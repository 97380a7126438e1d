import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from './migration-helpers.js';

/** Explo user groups and their embed tokens. */
export class IdentityUserGroups1764000000001 implements MigrationInterface {
  name = 'IdentityUserGroups1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'identity_user_groups',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('provided_id', 200),
          c.varchar('name', 200),
          c.varchar('api_environment_tag', 10),
          c.text('properties', true),
          c.text('mapping', true),
          c.boolean('is_demo_group', false),
          c.createdAt(),
          c.createdAt('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_user_groups', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_user_groups_provided',
            columnNames: ['workspace_id', 'api_environment_tag', 'provided_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_user_group_tokens',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('user_group_id'),
          c.varchar('hash', 64),
          c.varchar('prefix', 16),
          c.text('sealed', true),
          c.integer('generation'),
          c.createdAt(),
          c.timestamp('expires_at', true),
          c.timestamp('revoked_at', true),
        ],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_user_group_tokens',
            'group',
            'user_group_id',
            'identity_user_groups',
          ),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_user_group_tokens_hash',
            columnNames: ['hash'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_identity_user_group_tokens_group',
            columnNames: ['user_group_id', 'generation'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_user_group_tokens');
    await queryRunner.dropTable('identity_user_groups');
  }
}
