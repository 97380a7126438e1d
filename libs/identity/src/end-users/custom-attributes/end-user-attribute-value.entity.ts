import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UpdatedAtColumn } from '../../common/persistence/instant-columns.js';
import { EndUserEntity } from '../end-user.entity.js';
import { CustomAttributeEntity } from './custom-attribute.entity.js';

/** A custom attribute value: a string (Text) or a path of option values (Select). */
export type CustomAttributeValue = string | string[];

/** The value one end user has for one custom attribute. Personal data: anonymization deletes the row. */
@Entity('identity_end_user_attribute_values')
@Index('idx_identity_end_user_attribute_values_attribute', ['attributeId'])
export class EndUserAttributeValueEntity {
  @PrimaryColumn({ name: 'end_user_id', type: 'uuid' })
  endUserId: string;

  @PrimaryColumn({ name: 'attribute_id', type: 'uuid' })
  attributeId: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => EndUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'end_user_id',
    foreignKeyConstraintName: 'fk_identity_end_user_attribute_values_user',
  })
  endUser?: EndUserEntity;

  @ManyToOne(() => CustomAttributeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'attribute_id',
    foreignKeyConstraintName: 'fk_identity_end_user_attribute_values_attribute',
  })
  attribute?: CustomAttributeEntity;

  @Column({ type: 'simple-json' })
  value: CustomAttributeValue;

  @UpdatedAtColumn()
  updatedAt: Date;
}
