import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../../persistence/instant-columns.js';

/**
 * One published invalidation of the `database` bus: the tags an instance dropped, for the other instances
 * to read by polling. Rows are pruned shortly after they are written.
 */
@Entity('identity_invalidations')
export class InvalidationEntity {
  /**
   * The previous row's id + 1, assigned by the insert while writers are serialized: ids grow in commit
   * order (a sequence would not: a smaller id can commit after a larger one), so pollers read `id > last`.
   */
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  /** The bus instance that wrote the row; it skips its own rows. */
  @Column({ type: 'varchar', length: 36 })
  origin: string;

  /** JSON array of tags (`api-key:<id>`, `user-group:<id>`). */
  @Column({ type: 'text' })
  tags: string;

  @Index('idx_identity_invalidations_created')
  @CreatedAtColumn()
  createdAt: Date;
}
