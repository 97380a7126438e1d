import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  type TableColumnOptions,
  TableIndex,
} from 'typeorm';
import { columnsFor } from './migration-helpers.js';

/**
 * Dixa's end users: the users, custom attribute definitions and values, conversations with their
 * messages, and anonymization requests.
 */
export class IdentityEndUsers1764000000010 implements MigrationInterface {
  name = 'IdentityEndUsers1764000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnsFor(queryRunner);
    const postgres = queryRunner.connection.options.type === 'postgres';
    const instant = (name: string, nullable: boolean): TableColumnOptions => ({
      name,
      type: postgres ? 'timestamptz' : 'datetime',
      isNullable: nullable,
    });
    await queryRunner.createTable(
      new Table({
        name: 'identity_end_users',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('display_name', 255, true),
          c.varchar('email', 320, true),
          c.varchar('phone_number', 16, true),
          c.text('additional_emails'),
          c.text('additional_phone_numbers'),
          c.varchar('first_name', 255, true),
          c.varchar('last_name', 255, true),
          c.text('middle_names'),
          c.varchar('avatar_url', 2048, true),
          c.varchar('external_id', 255, true),
          c.createdInstant(),
          c.createdInstant('updated_at'),
          instant('anonymized_at', true),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_end_users', 'workspace', 'workspace_id', 'identity_workspaces'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_end_users_external',
            columnNames: ['workspace_id', 'external_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'idx_identity_end_users_email', columnNames: ['workspace_id', 'email'] }),
          new TableIndex({
            name: 'idx_identity_end_users_phone',
            columnNames: ['workspace_id', 'phone_number'],
          }),
          new TableIndex({
            name: 'idx_identity_end_users_page',
            columnNames: ['workspace_id', 'created_at', 'id'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_custom_attributes',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('entity_type', 20),
          c.varchar('identifier', 100),
          c.varchar('label', 200),
          c.text('description', true),
          c.text('input_definition'),
          c.boolean('is_required', false),
          c.boolean('is_archived', false),
          c.boolean('is_deactivated', false),
          c.createdInstant(),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_custom_attributes',
            'workspace',
            'workspace_id',
            'identity_workspaces',
          ),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_custom_attributes_identifier',
            columnNames: ['workspace_id', 'entity_type', 'identifier'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_end_user_attribute_values',
        columns: [
          { ...c.uuid('end_user_id'), isPrimary: true },
          { ...c.uuid('attribute_id'), isPrimary: true },
          c.uuid('workspace_id'),
          c.text('value'),
          c.createdInstant('updated_at'),
        ],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_end_user_attribute_values',
            'user',
            'end_user_id',
            'identity_end_users',
          ),
          c.cascadingForeignKey(
            'identity_end_user_attribute_values',
            'attribute',
            'attribute_id',
            'identity_custom_attributes',
          ),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_end_user_attribute_values_attribute',
            columnNames: ['attribute_id'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_conversations',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('end_user_id'),
          c.varchar('channel', 50),
          c.varchar('status', 10),
          c.varchar('subject', 500, true),
          c.createdInstant(),
          instant('closed_at', true),
        ],
        foreignKeys: [
          c.cascadingForeignKey('identity_conversations', 'end_user', 'end_user_id', 'identity_end_users'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_conversations_user_page',
            columnNames: ['end_user_id', 'created_at', 'id'],
          }),
          new TableIndex({
            name: 'idx_identity_conversations_user_status',
            columnNames: ['end_user_id', 'status'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_conversation_messages',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.uuid('conversation_id'),
          c.varchar('author', 10),
          c.text('text', true),
          c.createdInstant(),
        ],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_conversation_messages',
            'conversation',
            'conversation_id',
            'identity_conversations',
          ),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_conversation_messages_conversation',
            columnNames: ['conversation_id', 'created_at'],
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_anonymization_requests',
        columns: [
          c.id(),
          c.uuid('workspace_id'),
          c.varchar('type', 20),
          c.uuid('target_entity_id'),
          c.varchar('requested_by', 64, true),
          instant('initiated_at', false),
          instant('processed_at', true),
        ],
        foreignKeys: [
          c.cascadingForeignKey(
            'identity_anonymization_requests',
            'workspace',
            'workspace_id',
            'identity_workspaces',
          ),
        ],
        indices: [
          new TableIndex({
            name: 'idx_identity_anonymization_requests_target',
            columnNames: ['workspace_id', 'target_entity_id'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('identity_anonymization_requests');
    await queryRunner.dropTable('identity_conversation_messages');
    await queryRunner.dropTable('identity_conversations');
    await queryRunner.dropTable('identity_end_user_attribute_values');
    await queryRunner.dropTable('identity_custom_attributes');
    await queryRunner.dropTable('identity_end_users');
  }
}
