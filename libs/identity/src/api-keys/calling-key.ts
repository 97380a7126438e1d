import type { EntityManager } from 'typeorm';
import type { Caller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { dialectOf, isUuid, queryRows } from '../common/persistence/persistence.js';

/**
 * Inside a transaction that creates or widens a credential (an API key, an embed token, an access
 * token), re-reads the calling API key from the database instead of trusting its cached check, so a
 * key revoked a moment ago (from the CLI, another instance) cannot mint something that outlives it.
 * On PostgreSQL the key's row stays locked until the transaction ends, so a revoke waits for it.
 * Callers that are not API keys (host code, the CLI) pass.
 */
export async function assertCallingKeyActive(manager: EntityManager, caller: Caller): Promise<void> {
  const { actor, workspaceId } = caller;
  if (actor.type !== 'api_key') {
    return;
  }
  const lock = dialectOf(manager.connection) === 'postgres' ? ' FOR UPDATE' : '';
  const [key] = isUuid(actor.id)
    ? await queryRows<{ revoked_at: unknown }>(
        manager,
        `SELECT revoked_at FROM identity_api_keys WHERE id = ? AND workspace_id = ?${lock}`,
        [actor.id, workspaceId],
      )
    : [];
  if (!key || key.revoked_at !== null) {
    throw IdentityError.unauthenticated(
      'This API key has been revoked.',
      IdentityErrorReason.RevokedCredential,
    );
  }
}
