import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

const USERS = 'identity_external_users';

/** The list filters' indexes, each `[filter column, …]` as before this migration and after it. */
const FILTER_INDEXES: { what: string; column: string }[] = [
  { what: 'channel', column: 'channel_id' },
  { what: 'group', column: 'external_user_group_id' },
  { what: 'tier', column: 'tier_id' },
  { what: 'super_identity', column: 'super_identity_id' },
];

/**
 * The external-user list's filter indexes gain `workspace_id` between the filter column and `ordinal`,
 * so a filtered page's inner query (`workspace_id`, filter, ORDER BY `ordinal` LIMIT/OFFSET) reads the
 * index alone: the rows a deep page skips are index entries, not table rows. The filter column stays
 * first, so the index still serves the foreign key's cascades.
 */
export class IdentityExternalUsersPaging1764000000021 implements MigrationInterface {
  name = 'IdentityExternalUsersPaging1764000000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await replaceIndexes(queryRunner, (column) => [column, 'workspace_id', 'ordinal']);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await replaceIndexes(queryRunner, (column) => [column, 'ordinal']);
  }
}

async function replaceIndexes(
  queryRunner: QueryRunner,
  columnsOf: (filterColumn: string) => string[],
): Promise<void> {
  for (const { what, column } of FILTER_INDEXES) {
    const name = `idx_${USERS}_${what}`;
    await queryRunner.dropIndex(USERS, name);
    await queryRunner.createIndex(USERS, new TableIndex({ name, columnNames: columnsOf(column) }));
  }
}
