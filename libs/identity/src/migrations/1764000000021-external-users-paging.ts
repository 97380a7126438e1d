import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

const USERS = 'identity_external_users';

/** The filters whose index a filtered page's inner query reads: `[filter, workspace_id, ordinal]` after. */
const FILTER_INDEXES: { what: string; column: string }[] = [
  { what: 'group', column: 'external_user_group_id' },
  { what: 'tier', column: 'tier_id' },
  { what: 'super_identity', column: 'super_identity_id' },
];

const CHANNEL_INDEX = `idx_${USERS}_channel`;

/**
 * Paging the external-user list by filter as cheaply at page 1,000 as at page 1.
 *
 * - `channel_ordinal` numbers each channel's users 1, 2, 3… in creation order (a user never changes
 *   channel and a channel with users is never deleted, so there are no gaps): page N of one channel
 *   is the range `((N-1)·size, N·size]` of the unique `(channel_id, workspace_id, channel_ordinal)`
 *   index, which replaces `(channel_id, ordinal)`. Existing users are numbered by their ordinal.
 * - The other filter indexes gain `workspace_id` between the filter column and `ordinal`, so a filtered
 *   page's inner query (filter, workspace, ORDER BY ordinal LIMIT/OFFSET) reads the index alone. The
 *   filter column stays first, so each index still serves its foreign key.
 */
export class IdentityExternalUsersPaging1764000000021 implements MigrationInterface {
  name = 'IdentityExternalUsersPaging1764000000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await replaceFilterIndexes(queryRunner, (column) => [column, 'workspace_id', 'ordinal']);
    await queryRunner.dropIndex(USERS, CHANNEL_INDEX);
    await queryRunner.addColumn(
      USERS,
      new TableColumn({ name: 'channel_ordinal', type: 'integer', isNullable: true }),
    );
    // The same statement on both databases (SQLite 3.33+ has UPDATE … FROM and window functions).
    await queryRunner.query(
      `UPDATE ${USERS} SET channel_ordinal = numbered.n
        FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY channel_id ORDER BY ordinal) AS n FROM ${USERS}) AS numbered
        WHERE ${USERS}.id = numbered.id`,
    );
    await queryRunner.changeColumn(
      USERS,
      'channel_ordinal',
      new TableColumn({ name: 'channel_ordinal', type: 'integer', isNullable: false }),
    );
    await queryRunner.createIndex(
      USERS,
      new TableIndex({
        name: CHANNEL_INDEX,
        columnNames: ['channel_id', 'workspace_id', 'channel_ordinal'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(USERS, CHANNEL_INDEX);
    await queryRunner.dropColumn(USERS, 'channel_ordinal');
    await queryRunner.createIndex(
      USERS,
      new TableIndex({ name: CHANNEL_INDEX, columnNames: ['channel_id', 'ordinal'] }),
    );
    await replaceFilterIndexes(queryRunner, (column) => [column, 'ordinal']);
  }
}

async function replaceFilterIndexes(
  queryRunner: QueryRunner,
  columnsOf: (filterColumn: string) => string[],
): Promise<void> {
  for (const { what, column } of FILTER_INDEXES) {
    const name = `idx_${USERS}_${what}`;
    await queryRunner.dropIndex(USERS, name);
    await queryRunner.createIndex(USERS, new TableIndex({ name, columnNames: columnsOf(column) }));
  }
}
