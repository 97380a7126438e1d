import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import { columnsFor } from './migration-helpers.js';

/** The table the `database` invalidation bus publishes to and polls. */
export class IdentityInvalidations1764000000003 implements MigrationInterface {
  name = 'IdentityInvalidations1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'identity_invalidations',
        columns: [
          { name: 'id', type: 'bigint', isPrimary: true },
          c.varchar('origin', 36),
          c.text('tags'),
          c.createdInstant(),
        ],
        indices: [
          new TableIndex({ name: 'idx_identity_invalidations_created', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_invalidations');
  }
}
