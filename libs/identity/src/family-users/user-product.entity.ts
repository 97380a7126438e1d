import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';
import { FamilyUserEntity } from './family-user.entity.js';

/** A product added to a registration (`add_product`): Regpack's product id, quantity and remark. */
@Entity('identity_family_user_products')
@Index('idx_identity_family_user_products_user', ['familyUserId'])
export class UserProductEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'family_user_id', type: 'uuid' })
  familyUserId: string;

  @ManyToOne(() => FamilyUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_user_id', foreignKeyConstraintName: 'fk_identity_family_user_products_user' })
  familyUser?: FamilyUserEntity;

  /** Regpack's `p_id`: the host's product id. */
  @Column({ name: 'product_id', type: 'integer' })
  productId: number;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  remark: string | null;

  /** `YYYY-MM-DD`, for a recurring product. */
  @Column({ name: 'recurring_start_date', type: 'varchar', length: 10, nullable: true })
  recurringStartDate: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
