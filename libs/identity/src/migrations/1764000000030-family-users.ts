import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  type TableColumnOptions,
  TableForeignKey,
  TableIndex,
} from 'typeorm';
import { dialectOf } from '../common/persistence/persistence.js';
import { columnsFor } from './migration-helpers.js';

/**
 * Regpack family users: projects, central logins, registrations (with parent links and statuses),
 * products, recorded emails, single-use login tokens and family sessions. Times are instants.
 */
export class IdentityFamilyUsers1764000000030 implements MigrationInterface {
  name = 'IdentityFamilyUsers1764000000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const postgres = dialectOf(queryRunner.connection) === 'postgres';
    /** A time column holding an instant: `timestamptz` on PostgreSQL, like `InstantColumn`. */
    const instant = (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: postgres ? 'timestamptz' : 'datetime',
      isNullable: nullable,
    });
    const fk = c.cascadingForeignKey;

    await queryRunner.createTable(
      new Table({
        name: 'identity_family_projects',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.integer('group_id'),
          c.varchar('name', 200),
          c.createdInstant(),
        ],
        foreignKeys: [fk('identity_family_projects', 'workspace', 'workspace_id', 'identity_workspaces')],
        indices: [
          new TableIndex({
            name: 'idx_identity_family_projects_group',
            columnNames: ['workspace_id', 'group_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_family_central_logins',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.integer('clogin_id'),
          c.varchar('username', 200, true),
          c.varchar('username_key', 200, true),
          c.varchar('password_hash', 255, true),
          c.varchar('main_email', 320, true),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          fk('identity_family_central_logins', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_family_central_logins_clogin',
            columnNames: ['workspace_id', 'clogin_id'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_identity_family_central_logins_username',
            columnNames: ['workspace_id', 'username_key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_family_statuses',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('project_id'),
          c.integer('status_id'),
          c.varchar('name', 100),
          c.varchar('color', 7),
          c.boolean('is_excluded', false),
          c.createdInstant(),
        ],
        foreignKeys: [fk('identity_family_statuses', 'project', 'project_id', 'identity_family_projects')],
        indices: [
          new TableIndex({
            name: 'idx_identity_family_statuses_status',
            columnNames: ['workspace_id', 'status_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_family_users',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('project_id'),
          c.uuid('central_login_id'),
          c.integer('clogin_id'),
          c.integer('connected_to', true),
          c.text('fields'),
          c.uuid('status_ref_id', true),
          instant('form_submitted_at', true),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          fk('identity_family_users', 'project', 'project_id', 'identity_family_projects'),
          fk('identity_family_users', 'login', 'central_login_id', 'identity_family_central_logins'),
          new TableForeignKey({
            name: 'fk_identity_family_users_status',
            columnNames: ['status_ref_id'],
            referencedTableName: 'identity_family_statuses',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          }),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_family_users_person',
            columnNames: ['central_login_id', 'project_id'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'idx_identity_family_users_project',
            columnNames: ['project_id', 'clogin_id'],
          }),
          new TableIndex({
            name: 'idx_identity_family_users_family',
            columnNames: ['workspace_id', 'connected_to'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_family_user_products',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('family_user_id'),
          c.integer('product_id'),
          c.integer('quantity'),
          c.varchar('remark', 1000, true),
          c.varchar('recurring_start_date', 10, true),
          c.createdInstant(),
        ],
        foreignKeys: [fk('identity_family_user_products', 'user', 'family_user_id', 'identity_family_users')],
        indices: [
          new TableIndex({ name: 'idx_identity_family_user_products_user', columnNames: ['family_user_id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_family_email_records',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('family_user_id'),
          c.varchar('from_address', 320),
          c.varchar('to_address', 2000),
          c.varchar('subject', 998),
          c.text('body'),
          c.varchar('cc', 2000, true),
          c.varchar('bcc', 2000, true),
          c.varchar('admin_id', 64, true),
          c.createdInstant(),
        ],
        foreignKeys: [fk('identity_family_email_records', 'user', 'family_user_id', 'identity_family_users')],
        indices: [
          new TableIndex({ name: 'idx_identity_family_email_records_user', columnNames: ['family_user_id'] }),
        ],
      }),
    );
    for (const [table, what, extra] of [
      ['identity_family_login_tokens', 'login_tokens', instant('used_at', true)],
      ['identity_family_sessions', 'sessions', instant('revoked_at', true)],
    ] as const) {
      await queryRunner.createTable(
        new Table({
          name: table,
          columns: [
            c.id(),
            c.uuid('workspace_id'),
            c.uuid('central_login_id'),
            c.uuid('project_id'),
            c.varchar('hash', 64),
            c.varchar('prefix', 16),
            c.createdInstant(),
            instant('expires_at'),
            extra,
          ],
          foreignKeys: [
            fk(table, 'login', 'central_login_id', 'identity_family_central_logins'),
            fk(table, 'project', 'project_id', 'identity_family_projects'),
          ],
          indices: [
            new TableIndex({
              name: `idx_identity_family_${what}_hash`,
              columnNames: ['hash'],
              isUnique: true,
            }),
            new TableIndex({ name: `idx_identity_family_${what}_login`, columnNames: ['central_login_id'] }),
          ],
        }),
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'identity_family_sessions',
      'identity_family_login_tokens',
      'identity_family_email_records',
      'identity_family_user_products',
      'identity_family_users',
      'identity_family_statuses',
      'identity_family_central_logins',
      'identity_family_projects',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
