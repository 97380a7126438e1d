import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { IdentityError } from '../common/errors/identity-error.js';
import { instantOf, type JsonObject, queryRows } from '../common/persistence/persistence.js';
import { UserProductEntity } from './user-product.entity.js';
import type {
  FamilyUserList,
  FamilyUserListEntry,
  FamilyUserListOptions,
  FamilyUserView,
  UserProductView,
} from './family-user.view.js';

/** How many users one `get_user_list` page holds. */
export const FAMILY_USER_LIST_PAGE_SIZE = 100;

interface ViewRow {
  id: string;
  workspace_id: string;
  project_id: string;
  group_id: number | string;
  central_login_id: string;
  clogin_id: number | string;
  connected_to: number | string | null;
  fields: string;
  form_submitted_at: unknown;
  created_at: unknown;
  updated_at: unknown;
  status_id: number | string | null;
  status_name: string | null;
  status_color: string | null;
  is_excluded: boolean | number | null;
}

const VIEW_SELECT = `SELECT fu.id, fu.workspace_id, fu.project_id, p.group_id, fu.central_login_id, fu.clogin_id,
  fu.connected_to, fu.fields, fu.form_submitted_at, fu.created_at, fu.updated_at,
  s.status_id, s.name AS status_name, s.color AS status_color, s.is_excluded
  FROM identity_family_users fu
  JOIN identity_family_projects p ON p.id = fu.project_id
  LEFT JOIN identity_family_statuses s ON s.id = fu.status_ref_id`;

const dateOf = (value: unknown): Date => new Date(instantOf(value) ?? 0);

function viewOf(row: ViewRow): FamilyUserView {
  const submitted = instantOf(row.form_submitted_at);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    projectId: row.project_id,
    groupId: Number(row.group_id),
    centralLoginId: row.central_login_id,
    cloginId: Number(row.clogin_id),
    connectedTo: row.connected_to === null ? null : Number(row.connected_to),
    fields: JSON.parse(row.fields) as JsonObject,
    status:
      row.status_id === null
        ? null
        : {
            statusId: Number(row.status_id),
            name: row.status_name ?? '',
            color: row.status_color ?? '',
            isExcluded: Boolean(row.is_excluded),
          },
    formSubmittedAt: submitted === null ? null : new Date(submitted),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

/** Reads registrations as views: one person, a family, a project's list, a person's projects. */
@Injectable()
export class FamilyUserQueriesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The registration of `cloginId` in the project, or a 404. */
  async require(
    workspaceId: string,
    projectId: string,
    cloginId: number,
    manager?: EntityManager,
  ): Promise<FamilyUserView> {
    const [row] = await queryRows<ViewRow>(
      manager ?? this.dataSource,
      `${VIEW_SELECT} WHERE fu.workspace_id = ? AND fu.project_id = ? AND fu.clogin_id = ?`,
      [workspaceId, projectId, cloginId],
    );
    if (!row) {
      throw IdentityError.notFound(`User ${cloginId} not found in this project.`);
    }
    return viewOf(row);
  }

  /** The registrations of one family in the project: the parent first, then the children by `clogin_id`. */
  async family(user: FamilyUserView): Promise<FamilyUserView[]> {
    const parent = user.connectedTo ?? user.cloginId;
    const rows = await queryRows<ViewRow>(
      this.dataSource,
      `${VIEW_SELECT} WHERE fu.workspace_id = ? AND fu.project_id = ? AND (fu.clogin_id = ? OR fu.connected_to = ?)
       ORDER BY CASE WHEN fu.connected_to IS NULL THEN 0 ELSE 1 END, fu.clogin_id`,
      [user.workspaceId, user.projectId, parent, parent],
    );
    return rows.map(viewOf);
  }

  /** Every registration of a person, across the workspace's projects, by `group_id`. */
  async registrationsOf(workspaceId: string, cloginId: number): Promise<FamilyUserView[]> {
    const rows = await queryRows<ViewRow>(
      this.dataSource,
      `${VIEW_SELECT} WHERE fu.workspace_id = ? AND fu.clogin_id = ? ORDER BY p.group_id`,
      [workspaceId, cloginId],
    );
    return rows.map(viewOf);
  }

  /** True when `childCloginId` is registered somewhere in the workspace as a child of `parentCloginId`. */
  async isChildOf(workspaceId: string, childCloginId: number, parentCloginId: number): Promise<boolean> {
    const rows = await queryRows<{ one: unknown }>(
      this.dataSource,
      `SELECT 1 AS one FROM identity_family_users WHERE workspace_id = ? AND connected_to = ? AND clogin_id = ?
       LIMIT 1`,
      [workspaceId, parentCloginId, childCloginId],
    );
    return rows.length > 0;
  }

  /** True when the person is a child in any project of the workspace. */
  async isChild(workspaceId: string, cloginId: number, manager?: EntityManager): Promise<boolean> {
    const rows = await queryRows<{ one: unknown }>(
      manager ?? this.dataSource,
      `SELECT 1 AS one FROM identity_family_users WHERE workspace_id = ? AND clogin_id = ? AND connected_to IS NOT NULL
       LIMIT 1`,
      [workspaceId, cloginId],
    );
    return rows.length > 0;
  }

  /**
   * One page of the project's users by `clogin_id`. Users whose status is excluded are left out unless
   * `withExcluded` (or `onlyExcluded`); with `returnFamilies` the page lists parents and individuals,
   * each with its children (filtered alike).
   */
  async list(
    workspaceId: string,
    projectId: string,
    options: FamilyUserListOptions,
  ): Promise<FamilyUserList> {
    if (options.onlyParents && options.onlyChildren) {
      throw IdentityError.validation('only_parents and only_children cannot both be set', [
        'only_parents',
        'only_children',
      ]);
    }
    if (options.returnFamilies && options.onlyChildren) {
      throw IdentityError.validation(
        'return_families lists parents; it cannot be combined with only_children',
        ['return_families', 'only_children'],
      );
    }
    const start = options.startingPosition ?? 0;
    const statusFilter = options.onlyExcluded
      ? ['s.is_excluded = TRUE']
      : options.withExcluded
        ? []
        : ['(s.is_excluded IS NULL OR s.is_excluded = FALSE)'];
    const where = ['fu.workspace_id = ?', 'fu.project_id = ?', ...statusFilter];
    if (options.onlyParents || options.returnFamilies) {
      where.push('fu.connected_to IS NULL');
    } else if (options.onlyChildren) {
      where.push('fu.connected_to IS NOT NULL');
    }
    const condition = where.join(' AND ');
    const params = [workspaceId, projectId];
    const rows = await queryRows<ViewRow>(
      this.dataSource,
      `${VIEW_SELECT} WHERE ${condition} ORDER BY fu.clogin_id LIMIT ? OFFSET ?`,
      [...params, FAMILY_USER_LIST_PAGE_SIZE, start],
    );
    const [count] = await queryRows<{ n: unknown }>(
      this.dataSource,
      `SELECT COUNT(*) AS n FROM identity_family_users fu
       LEFT JOIN identity_family_statuses s ON s.id = fu.status_ref_id WHERE ${condition}`,
      params,
    );
    const total = Number(count.n);
    const users = rows.map(viewOf);
    let entries: FamilyUserListEntry[] = users.map((user) => ({ user }));
    if (options.returnFamilies && users.length > 0) {
      const parents = users.map((u) => u.cloginId);
      const childRows = await queryRows<ViewRow>(
        this.dataSource,
        `${VIEW_SELECT} WHERE fu.workspace_id = ? AND fu.project_id = ? ${statusFilter.map((f) => `AND ${f}`).join(' ')}
         AND fu.connected_to IN (${parents.map(() => '?').join(', ')}) ORDER BY fu.clogin_id`,
        [workspaceId, projectId, ...parents],
      );
      const children = childRows.map(viewOf);
      entries = users.map((user) => ({
        user,
        children: children.filter((child) => child.connectedTo === user.cloginId),
      }));
    }
    const next = start + users.length;
    return { entries, total, nextPosition: next < total ? next : null };
  }

  /** The products of a registration, oldest first. */
  async products(workspaceId: string, familyUserId: string): Promise<UserProductView[]> {
    const rows = await this.dataSource.manager.find(UserProductEntity, {
      where: { workspaceId, familyUserId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return rows.map((row) => ({
      productId: row.productId,
      quantity: row.quantity,
      remark: row.remark,
      recurringStartDate: row.recurringStartDate,
      createdAt: row.createdAt,
    }));
  }
}
