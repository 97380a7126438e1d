import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The tenant: every other row of the module belongs to exactly one workspace. */
@Entity('identity_workspaces')
export class WorkspaceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt: Date;
}
