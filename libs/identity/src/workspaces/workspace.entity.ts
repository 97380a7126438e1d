import { Column, Entity, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';

/** The tenant: every other row of the module belongs to exactly one workspace. */
@Entity('identity_workspaces')
export class WorkspaceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @CreatedAtColumn()
  createdAt: Date;
}
