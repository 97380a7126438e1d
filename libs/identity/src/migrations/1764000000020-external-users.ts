import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  type TableColumnOptions,
  TableIndex,
} from 'typeorm';
import { columnsFor } from './migration-helpers.js';

/** Zaia's external users: channels, tiers, groups, super identities, users, access tokens, quota usage. */
export class IdentityExternalUsers1764000000020 implements MigrationInterface {
  name = 'IdentityExternalUsers1764000000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const postgres = queryRunner.connection.options.type === 'postgres';
    /** An instant without default: `timestamptz` on PostgreSQL, like `InstantColumn`. */
    const instant = (name: string): TableColumnOptions => ({
      name,
      type: postgres ? 'timestamptz' : 'datetime',
      isNullable: false,
    });
    const index = (table: string, what: string, columnNames: string[], isUnique = false) =>
      new TableIndex({ name: `idx_${table}_${what}`, columnNames, isUnique });
    const setNullForeignKey = (table: string, what: string, column: string, referencedTable: string) => ({
      ...c.cascadingForeignKey(table, what, column, referencedTable),
      onDelete: 'SET NULL',
    });

    await queryRunner.createTable(
      new Table({
        name: 'identity_channels',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('name', 50),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_channels', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [index('identity_channels', 'workspace', ['workspace_id', 'created_at'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_tiers',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('name', 50),
          c.varchar('description', 250),
          c.integer('max_assistant_messages', true),
          c.varchar('prompt', 500, true),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_tiers', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [index('identity_tiers', 'workspace', ['workspace_id', 'created_at'])],
      }),
    );
    const groups = 'identity_external_user_groups';
    await queryRunner.createTable(
      new Table({
        name: groups,
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('external_id', 250),
          c.varchar('name', 50),
          c.uuid('tier_id', true),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey(groups, 'workspace', 'workspace_id', 'identity_workspaces'),
          setNullForeignKey(groups, 'tier', 'tier_id', 'identity_tiers'),
        ],
        indices: [
          index(groups, 'external', ['workspace_id', 'external_id'], true),
          index(groups, 'workspace', ['workspace_id', 'created_at']),
          index(groups, 'tier', ['tier_id']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_super_identities',
        columns: [c.id(), c.uuid('workspace_id'), c.createdInstant()],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_super_identities',
            'workspace',
            'workspace_id',
            'identity_workspaces',
          ),
        ],
      }),
    );
    const users = 'identity_external_users';
    await queryRunner.createTable(
      new Table({
        name: users,
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.integer('ordinal'),
          c.uuid('channel_id'),
          c.varchar('external_id', 250, true),
          c.varchar('identifier', 250, true),
          c.varchar('name', 50, true),
          c.boolean('blocked', false),
          c.uuid('tier_id', true),
          c.uuid('external_user_group_id', true),
          c.uuid('super_identity_id'),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey(users, 'workspace', 'workspace_id', 'identity_workspaces'),
          c.cascadingForeignKey(users, 'channel', 'channel_id', 'identity_channels'),
          setNullForeignKey(users, 'tier', 'tier_id', 'identity_tiers'),
          setNullForeignKey(users, 'group', 'external_user_group_id', groups),
          c.cascadingForeignKey(users, 'super_identity', 'super_identity_id', 'identity_super_identities'),
        ],
        indices: [
          index(users, 'ordinal', ['workspace_id', 'ordinal'], true),
          index(users, 'external', ['channel_id', 'external_id'], true),
          index(users, 'identifier', ['channel_id', 'identifier'], true),
          index(users, 'channel', ['channel_id', 'ordinal']),
          index(users, 'group', ['external_user_group_id', 'ordinal']),
          index(users, 'tier', ['tier_id', 'ordinal']),
          index(users, 'super_identity', ['super_identity_id', 'ordinal']),
        ],
      }),
    );
    const tokens = 'identity_external_user_tokens';
    await queryRunner.createTable(
      new Table({
        name: tokens,
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('channel_id'),
          c.uuid('external_user_id'),
          c.varchar('hash', 64),
          c.varchar('prefix', 16),
          c.createdInstant(),
          instant('expires_at'),
        ],
        foreignKeys: [c.cascadingForeignKey(tokens, 'user', 'external_user_id', users)],
        indices: [
          index(tokens, 'hash', ['hash'], true),
          index(tokens, 'user', ['external_user_id', 'expires_at']),
        ],
      }),
    );
    const usage = 'identity_external_user_quota_usage';
    await queryRunner.createTable(
      new Table({
        name: usage,
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('external_user_id'),
          c.varchar('quota', 40),
          c.varchar('period', 10),
          c.integer('used'),
        ],
        foreignKeys: [c.cascadingForeignKey(usage, 'user', 'external_user_id', users)],
        indices: [index(usage, 'key', ['external_user_id', 'quota', 'period'], true)],
      }),
    );
    const sequences = 'identity_external_user_sequences';
    await queryRunner.createTable(
      new Table({
        name: sequences,
        columns: [{ ...c.uuid('workspace_id'), isPrimary: true }, c.integer('last_ordinal')],
        foreignKeys: [c.cascadingForeignKey(sequences, 'workspace', 'workspace_id', 'identity_workspaces')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'identity_external_user_sequences',
      'identity_external_user_quota_usage',
      'identity_external_user_tokens',
      'identity_external_users',
      'identity_super_identities',
      'identity_external_user_groups',
      'identity_tiers',
      'identity_channels',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
