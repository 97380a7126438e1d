import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from './migration-helpers.js';

/** Workspaces, API keys and the audit log. */
export class IdentityFoundation1764000000000 implements MigrationInterface {
  name = 'IdentityFoundation1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'identity_workspaces',
        columns: [c.id(), c.varchar('name', 200), c.createdAt()],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_api_keys',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('name', 100),
          c.varchar('scope', 5),
          c.varchar('prefix', 16),
          c.varchar('hash', 64),
          c.timestamp('last_used_at', true),
          c.timestamp('revoked_at', true),
          c.createdAt(),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_api_keys', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [
          new TableIndex({ name: 'idx_identity_api_keys_workspace', columnNames: ['workspace_id'] }),
          new TableIndex({ name: 'idx_identity_api_keys_prefix', columnNames: ['prefix'], isUnique: true }),
          new TableIndex({ name: 'idx_identity_api_keys_hash', columnNames: ['hash'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_audit_log',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('actor_type', 20),
          c.varchar('actor_id', 64, true),
          c.varchar('api_user', 100, true),
          c.varchar('action', 80),
          c.varchar('target_type', 40),
          c.varchar('target_id', 64, true),
          c.createdAt(),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_audit_log_workspace_created',
            columnNames: ['workspace_id', 'created_at'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_audit_log');
    await queryRunner.dropTable('identity_api_keys');
    await queryRunner.dropTable('identity_workspaces');
  }
}
