import type { EntityManager } from 'typeorm';
import { IdentityError } from '../common/errors/identity-error.js';
import { lockRow, queryRows } from '../common/persistence/persistence.js';

/** The largest value a PostgreSQL `integer` holds; Regpack's ids are whole numbers below it. */
export const MAX_FAMILY_NUMBER = 2_147_483_647;

/**
 * Inside a transaction, locks the workspace row, so the numbers Regpack's clients see (`group_id`,
 * `clogin_id`, `status_id`) are handed out one at a time per workspace, and answers whether it exists.
 * Call it first in the transaction (before any other lock), so lock order is always the same.
 */
export async function lockWorkspace(manager: EntityManager, workspaceId: string): Promise<void> {
  if (!(await lockRow(manager, 'identity_workspaces', workspaceId))) {
    throw IdentityError.notFound('Workspace not found.');
  }
}

/** The next number of `column` in `table` within the workspace (1 for the first); call it under `lockWorkspace`. */
export async function nextNumber(
  manager: EntityManager,
  table: string,
  column: string,
  workspaceId: string,
): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    manager,
    `SELECT COALESCE(MAX(${column}), 0) + 1 AS n FROM ${table} WHERE workspace_id = ?`,
    [workspaceId],
  );
  const next = Number(row.n);
  if (next > MAX_FAMILY_NUMBER) {
    throw IdentityError.conflict(`No ${column} is left in this workspace.`);
  }
  return next;
}
