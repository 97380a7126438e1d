import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ExternalUserEntity } from './external-user.entity.js';

/**
 * How much of one quota an external user spent in one period (`2025-06` for a calendar month in UTC,
 * `2025-06-14` for a day). Incremented by one atomic upsert that refuses to pass the tier's limit.
 */
@Entity('identity_external_user_quota_usage')
@Index('idx_identity_external_user_quota_usage_key', ['externalUserId', 'quota', 'period'], {
  unique: true,
})
export class ExternalUserQuotaUsageEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'external_user_id', type: 'uuid' })
  externalUserId: string;

  @ManyToOne(() => ExternalUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'external_user_id',
    foreignKeyConstraintName: 'fk_identity_external_user_quota_usage_user',
  })
  externalUser?: ExternalUserEntity;

  /** The quota's name (`assistantMessages`). */
  @Column({ type: 'varchar', length: 40 })
  quota: string;

  /** The period's label in UTC: `YYYY-MM` (month) or `YYYY-MM-DD` (day). */
  @Column({ type: 'varchar', length: 10 })
  period: string;

  @Column({ type: 'integer' })
  used: number;
}
