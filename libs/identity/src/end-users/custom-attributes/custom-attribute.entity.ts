import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../../workspaces/workspace.entity.js';

/** What a custom attribute describes: an end user (Dixa's contact) or a conversation. */
export type CustomAttributeEntityType = 'Contact' | 'Conversation';
/** Every `CustomAttributeEntityType`. */
export const CUSTOM_ATTRIBUTE_ENTITY_TYPES: readonly CustomAttributeEntityType[] = [
  'Contact',
  'Conversation',
];

/** One choice of a Select attribute; a choice may open nested choices (a path of values). */
export interface SelectOption {
  id: string;
  value: string;
  label: string;
  isDeactivated: boolean;
  nestedOptions: SelectOption[];
}

/** How a value is entered: free text, or a choice among (nested) options. */
export type CustomAttributeInput =
  { _type: 'Text'; placeholder: string | null } | { _type: 'Select'; options: SelectOption[] };

/** The kind of input: `Text` values are strings, `Select` values are paths of option values. */
export type CustomAttributeInputType = CustomAttributeInput['_type'];

/** A custom attribute definition of a workspace (Dixa's custom attributes). */
@Entity('identity_custom_attributes')
@Index('idx_identity_custom_attributes_identifier', ['workspaceId', 'entityType', 'identifier'], {
  unique: true,
})
export class CustomAttributeEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_custom_attributes_workspace' })
  workspace?: WorkspaceEntity;

  @Column({ name: 'entity_type', type: 'varchar', length: 20 })
  entityType: CustomAttributeEntityType;

  /** A stable machine name, unique per workspace and entity type. */
  @Column({ type: 'varchar', length: 100 })
  identifier: string;

  @Column({ type: 'varchar', length: 200 })
  label: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'input_definition', type: 'simple-json' })
  inputDefinition: CustomAttributeInput;

  @Column({ name: 'is_required', type: 'boolean', default: false })
  isRequired: boolean;

  /** Archived attributes are kept for history but take no new values. */
  @Column({ name: 'is_archived', type: 'boolean', default: false })
  isArchived: boolean;

  /** Deactivated attributes take no new values until reactivated. */
  @Column({ name: 'is_deactivated', type: 'boolean', default: false })
  isDeactivated: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
