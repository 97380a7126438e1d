import { randomBytes } from 'node:crypto';
import type { ApiEnvironmentTag, ApiKeyScope, JsonObject } from '../../libs/identity/src/index.js';
import type { TestApp, TestWorkspace } from './test-app.js';

/** An `Authorization` header, ready for supertest's `.set()` (a type alias, so it fits `IncomingHttpHeaders`). */
export type AuthorizationHeader = { Authorization: string };

let sequence = 0;

/** An id no other call in this test run returns (databases are shared within a spec file). */
export function uniqueId(prefix = 'id'): string {
  sequence += 1;
  return `${prefix}_${sequence}_${randomBytes(4).toString('hex')}`;
}

/** `Authorization: Token <token>` (Explo's style; embed tokens and API keys). */
export function tokenAuth(token: string): AuthorizationHeader {
  return { Authorization: `Token ${token}` };
}

/** `Authorization: Bearer <token>`. */
export function bearer(token: string): AuthorizationHeader {
  return { Authorization: `Bearer ${token}` };
}

/**
 * The Authorization header of a workspace key of `scope`: the test app's own workspace, or another one
 * made with `t.createWorkspace()`.
 */
export function withKey(
  owner: Pick<TestApp, 'workspace'> | TestWorkspace,
  scope: ApiKeyScope,
): AuthorizationHeader {
  const workspace = 'workspace' in owner ? owner.workspace : owner;
  return tokenAuth(scope === 'read' ? workspace.readKey : workspace.writeKey);
}

/** The fields of Explo's get-or-create (`GET /api/user`). */
export interface UserGroupBody {
  name: string;
  user_group_id: string;
  api_environment_tag?: ApiEnvironmentTag;
  properties?: JsonObject;
  mapping?: JsonObject;
  is_demo_group?: boolean;
}

/**
 * A valid get-or-create body with a `user_group_id` of its own, so a test creates a new group unless it
 * says otherwise. `overrides` replace or add fields, invalid ones included (to test validation).
 */
export function userGroupBody<O extends Record<string, unknown> = Record<never, never>>(
  overrides?: O,
): Omit<UserGroupBody, keyof O> & O {
  const id = uniqueId('group');
  return { name: `Group ${id}`, user_group_id: id, ...(overrides as O) };
}
