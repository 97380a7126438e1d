import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { type CallerLike, toCaller } from '../../audit/caller.js';
import { IdentityError } from '../../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../../common/events/identity-events.js';
import {
  insertRows,
  isUniqueViolation,
  isUuid,
  lockRow,
  newId,
  queryRows,
  runInTransaction,
  updateRows,
} from '../../common/persistence/persistence.js';
import { IdentityEvents } from '../../identity.constants.js';
import {
  CUSTOM_ATTRIBUTE_ENTITY_TYPES,
  CustomAttributeEntity,
  type CustomAttributeEntityType,
} from './custom-attribute.entity.js';
import {
  type CustomAttributeInputDefinition,
  normalizeInputDefinition,
  valueProblem,
} from './custom-attribute-definitions.js';
import { type CustomAttributeValue, EndUserAttributeValueEntity } from './end-user-attribute-value.entity.js';

/** A custom attribute definition as the host sees it. */
export type CustomAttributeView = Omit<CustomAttributeEntity, 'workspace'>;

/** Input of `CustomAttributesService.create`. */
export interface CreateCustomAttributeInput {
  entityType: CustomAttributeEntityType;
  /** A stable machine name: letters, digits, `_`, `-`, `.`; unique per workspace and entity type. */
  identifier: string;
  label: string;
  description?: string | null;
  inputDefinition: CustomAttributeInputDefinition;
  isRequired?: boolean;
  isDeactivated?: boolean;
}

/** Changes `CustomAttributesService.update` may make; entity type, identifier and input type stay. */
export interface UpdateCustomAttributeInput {
  label?: string;
  description?: string | null;
  inputDefinition?: CustomAttributeInputDefinition;
  isRequired?: boolean;
  isDeactivated?: boolean;
  isArchived?: boolean;
}

/** One custom attribute value of an end user, in the seed's shape (`name` is the attribute's label). */
export interface CustomAttributeValueView {
  id: string;
  name: string;
  identifier: string;
  value: CustomAttributeValue;
}

const IDENTIFIER = /^[A-Za-z0-9_.-]{1,100}$/;
const NOT_FOUND = 'Custom attribute not found.';

interface ValueRow {
  attribute_id: string;
  label: string;
  identifier: string;
  value: string;
}

/**
 * Custom attribute definitions of a workspace (Contact and Conversation attributes, Text and Select
 * inputs) and the values end users have for them, checked against their definitions.
 */
@Injectable()
export class CustomAttributesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /** Every definition of the workspace (archived ones too, flagged), oldest first. */
  async list(callerLike: CallerLike, entityType?: CustomAttributeEntityType): Promise<CustomAttributeView[]> {
    const { workspaceId } = toCaller(callerLike);
    return this.dataSource.manager.find(CustomAttributeEntity, {
      where: entityType ? { workspaceId, entityType } : { workspaceId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** One definition of the workspace; another workspace's id is not found. */
  async get(callerLike: CallerLike, id: string): Promise<CustomAttributeView> {
    const { workspaceId } = toCaller(callerLike);
    const found = isUuid(id)
      ? await this.dataSource.manager.findOneBy(CustomAttributeEntity, { id, workspaceId })
      : null;
    if (!found) {
      throw IdentityError.notFound(NOT_FOUND);
    }
    return found;
  }

  /** Defines a custom attribute; Select options get ids where they have none. */
  async create(callerLike: CallerLike, input: CreateCustomAttributeInput): Promise<CustomAttributeView> {
    const caller = toCaller(callerLike);
    const problems: string[] = [];
    if (!CUSTOM_ATTRIBUTE_ENTITY_TYPES.includes(input.entityType)) {
      problems.push(`entityType: must be one of ${CUSTOM_ATTRIBUTE_ENTITY_TYPES.join(', ')}`);
    }
    if (typeof input.identifier !== 'string' || !IDENTIFIER.test(input.identifier)) {
      problems.push('identifier: must be 1 to 100 letters, digits, _, - or .');
    }
    checkTexts(input, problems);
    if (problems.length > 0) {
      throw IdentityError.validation(problems.join('; '));
    }
    const now = new Date();
    const attribute: CustomAttributeView = {
      id: newId(),
      workspaceId: caller.workspaceId,
      entityType: input.entityType,
      identifier: input.identifier,
      label: input.label,
      description: input.description ?? null,
      inputDefinition: normalizeInputDefinition(input.inputDefinition),
      isRequired: input.isRequired ?? false,
      isArchived: false,
      isDeactivated: input.isDeactivated ?? false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await runInTransaction(this.dataSource, async (manager) => {
        await insertRows(manager, CustomAttributeEntity, attribute);
        await this.audit.record(caller.actor, this.auditEntry(attribute, 'custom-attribute.create'), manager);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw IdentityError.conflict(
          `identifier: a ${attribute.entityType} attribute '${attribute.identifier}' exists already`,
        );
      }
      throw err;
    }
    return attribute;
  }

  /** Changes label, description, options, or the required, deactivated and archived flags. */
  async update(
    callerLike: CallerLike,
    id: string,
    changes: UpdateCustomAttributeInput,
  ): Promise<CustomAttributeView> {
    const caller = toCaller(callerLike);
    const current = await this.get(caller, id);
    const problems: string[] = [];
    checkTexts({ label: changes.label ?? current.label, description: changes.description }, problems);
    const patch: Partial<CustomAttributeView> = {};
    if (changes.inputDefinition !== undefined) {
      const next = normalizeInputDefinition(changes.inputDefinition);
      if (next._type !== current.inputDefinition._type) {
        problems.push(
          `inputDefinition._type: stays '${current.inputDefinition._type}'; define a new attribute`,
        );
      }
      patch.inputDefinition = next;
    }
    if (problems.length > 0) {
      throw IdentityError.validation(problems.join('; '));
    }
    for (const key of ['label', 'description', 'isRequired', 'isDeactivated', 'isArchived'] as const) {
      if (changes[key] !== undefined) {
        (patch as Record<string, unknown>)[key] = changes[key];
      }
    }
    const updated = { ...current, ...patch, updatedAt: new Date() };
    await runInTransaction(this.dataSource, async (manager) => {
      await updateRows(
        manager,
        CustomAttributeEntity,
        { id, workspaceId: caller.workspaceId },
        {
          ...patch,
          updatedAt: updated.updatedAt,
        },
      );
      await this.audit.record(caller.actor, this.auditEntry(current, 'custom-attribute.update'), manager);
    });
    return updated;
  }

  /** Archives the attribute: it stays listed (with `isArchived`), its values stay, it takes no new ones. */
  async archive(callerLike: CallerLike, id: string): Promise<CustomAttributeView> {
    return this.update(callerLike, id, { isArchived: true });
  }

  /** The end user's attribute values, in the seed's shape; the user must be of the caller's workspace. */
  async valuesOf(callerLike: CallerLike, endUserId: string): Promise<CustomAttributeValueView[]> {
    const { workspaceId } = toCaller(callerLike);
    return this.readValues(this.dataSource.manager, workspaceId, endUserId);
  }

  /**
   * Sets the end user's values from a map of attribute id → value (`null` removes one). Every entry is
   * checked against its definition first; one bad entry refuses the whole patch, naming each bad attribute.
   */
  async patchEndUserValues(
    callerLike: CallerLike,
    endUserId: string,
    values: Record<string, unknown>,
  ): Promise<CustomAttributeValueView[]> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw IdentityError.validation('body: must be an object mapping custom attribute ids to values');
    }
    if (!isUuid(endUserId) || !(await this.endUserExists(this.dataSource.manager, workspaceId, endUserId))) {
      throw IdentityError.notFound('End user not found.');
    }
    const entries = Object.entries(values);
    const ids = entries.map(([key]) => key).filter((key) => isUuid(key));
    const definitions = ids.length
      ? await this.dataSource.manager.findBy(CustomAttributeEntity, { workspaceId, id: In(ids) })
      : [];
    const byId = new Map(definitions.map((d) => [d.id, d]));
    const problems: string[] = [];
    for (const [key, value] of entries) {
      const attribute = isUuid(key) ? byId.get(key.toLowerCase()) : undefined;
      const problem = attribute
        ? valueProblem(attribute, value)
        : 'is not a custom attribute of this workspace';
      if (problem) {
        problems.push(`${key}${attribute ? ` (${attribute.identifier})` : ''}: ${problem}`);
      }
    }
    if (problems.length > 0) {
      throw IdentityError.validation(
        problems.join('; '),
        entries.map(([key]) => key),
      );
    }
    const now = new Date();
    const result = await runInTransaction(this.dataSource, async (manager) => {
      // Deleted meanwhile?
      if (
        !(await this.endUserExists(manager, workspaceId, endUserId)) ||
        !(await lockRow(manager, 'identity_end_users', endUserId))
      ) {
        throw IdentityError.notFound('End user not found.');
      }
      const attributeIds = entries.map(([key]) => key.toLowerCase());
      if (attributeIds.length > 0) {
        await manager.delete(EndUserAttributeValueEntity, { endUserId, attributeId: In(attributeIds) });
        const rows = entries
          .filter(([, value]) => value !== null)
          .map(([key, value]) => ({
            endUserId,
            attributeId: key.toLowerCase(),
            workspaceId,
            value: value as CustomAttributeValue,
            updatedAt: now,
          }));
        if (rows.length > 0) {
          await insertRows(manager, EndUserAttributeValueEntity, rows);
        }
      }
      await this.audit.record(
        caller.actor,
        { workspaceId, action: 'end-user.custom-attributes', targetType: 'end_user', targetId: endUserId },
        manager,
      );
      return this.readValues(manager, workspaceId, endUserId);
    });
    this.events.emit(IdentityEvents.endUserUpdated, { workspaceId, id: endUserId });
    return result;
  }

  private async endUserExists(
    manager: EntityManager,
    workspaceId: string,
    endUserId: string,
  ): Promise<boolean> {
    const rows = await queryRows(
      manager,
      'SELECT id FROM identity_end_users WHERE id = ? AND workspace_id = ?',
      [endUserId, workspaceId],
    );
    return rows.length > 0;
  }

  private async readValues(
    manager: EntityManager,
    workspaceId: string,
    endUserId: string,
  ): Promise<CustomAttributeValueView[]> {
    if (!isUuid(endUserId)) {
      return [];
    }
    const rows = await queryRows<ValueRow>(
      manager,
      `SELECT v.attribute_id, a.label, a.identifier, v.value
       FROM identity_end_user_attribute_values v
       JOIN identity_custom_attributes a ON a.id = v.attribute_id AND a.workspace_id = v.workspace_id
       WHERE v.end_user_id = ? AND v.workspace_id = ?
       ORDER BY a.created_at, a.id`,
      [endUserId, workspaceId],
    );
    return rows.map((row) => ({
      id: row.attribute_id,
      name: row.label,
      identifier: row.identifier,
      value: JSON.parse(row.value) as CustomAttributeValue,
    }));
  }

  private auditEntry(attribute: Pick<CustomAttributeView, 'workspaceId' | 'id'>, action: string) {
    return {
      workspaceId: attribute.workspaceId,
      action,
      targetType: 'custom_attribute',
      targetId: attribute.id,
    };
  }
}

function checkTexts(input: { label?: unknown; description?: unknown }, problems: string[]): void {
  if (typeof input.label !== 'string' || input.label.length < 1 || input.label.length > 200) {
    problems.push('label: must be 1 to 200 characters long');
  }
  if (
    input.description !== undefined &&
    input.description !== null &&
    (typeof input.description !== 'string' || input.description.length > 1000)
  ) {
    problems.push('description: must be a string of at most 1000 characters');
  }
}
