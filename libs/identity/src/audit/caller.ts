import { type AuditActor, SYSTEM_ACTOR } from './audit.service.js';

/**
 * Who calls a service method: the workspace it acts in, who to record in the audit log, and whether
 * it may write. Controllers build it from the request's credential (`@CurrentCaller()`); host code may
 * pass just a workspace id, which acts as the system with write access.
 */
export interface Caller {
  workspaceId: string;
  actor: AuditActor;
  scope: 'read' | 'write';
}

/** A `Caller`, or a workspace id for host code acting as the system. */
export type CallerLike = Caller | string;

/** The caller behind `CallerLike`. */
export function toCaller(caller: CallerLike): Caller {
  return typeof caller === 'string' ? { workspaceId: caller, actor: SYSTEM_ACTOR, scope: 'write' } : caller;
}
