import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialectOf } from '../common/persistence/persistence.js';

/** The time columns of each table, as the earlier migrations made them. */
const TIME_COLUMNS: Record<string, string[]> = {
  identity_workspaces: ['created_at'],
  identity_api_keys: ['last_used_at', 'revoked_at', 'created_at'],
  identity_audit_log: ['created_at'],
  identity_user_groups: ['created_at', 'updated_at'],
  identity_user_group_tokens: ['created_at', 'expires_at', 'revoked_at'],
};

/**
 * PostgreSQL time columns become `timestamptz`, so instances in different time zones agree on every
 * instant (node-pg writes and reads `timestamp without time zone` in the process's own zone). Existing
 * values are read as UTC, the zone earlier releases told every instance to run in. SQLite already
 * stores UTC text: nothing to do there.
 */
export class IdentityZoneSafeTime1764000000002 implements MigrationInterface {
  name = 'IdentityZoneSafeTime1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await alterTimeColumns(queryRunner, 'timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await alterTimeColumns(queryRunner, 'timestamp');
  }
}

/** One ALTER TABLE per table (one rewrite each); `AT TIME ZONE 'UTC'` converts either way. */
async function alterTimeColumns(queryRunner: QueryRunner, type: 'timestamptz' | 'timestamp'): Promise<void> {
  if (dialectOf(queryRunner.connection) !== 'postgres') {
    return;
  }
  for (const [table, columns] of Object.entries(TIME_COLUMNS)) {
    const changes = columns.map((c) => `ALTER COLUMN "${c}" TYPE ${type} USING "${c}" AT TIME ZONE 'UTC'`);
    await queryRunner.query(`ALTER TABLE "${table}" ${changes.join(', ')}`);
  }
}
