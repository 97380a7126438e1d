import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type Caller, type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { runInTransaction } from '../common/persistence/persistence.js';
import { CentralLoginsService } from './central-logins.service.js';
import { FamilySessionsService } from './family-sessions.service.js';
import { FamilyUserQueriesService } from './family-user-queries.service.js';
import { FamilyUserRecordsService } from './family-user-records.service.js';
import {
  auditEntry,
  FamilyUserRegistrationsService,
  requireCloginId,
} from './family-user-registrations.service.js';
import { DocProblems, flagOf, stringField, wholeNumberOf } from './family-user-doc.js';
import {
  FAMILY_USER_ACTIONS,
  type FamilyUserAction,
  type FamilyUserInfoFlags,
  type FamilyUserListOptions,
  type FamilyUsersOutcome,
  type FamilyUsersRequest,
  type FamilyUserView,
} from './family-user.view.js';
import type { ProjectEntity } from './project.entity.js';
import { ProjectsService } from './projects.service.js';

/** One action of the users endpoint: a method of `FamilyUsersService`. */
type ActionMethod = (caller: CallerLike, request: FamilyUsersRequest) => Promise<FamilyUsersOutcome>;

/**
 * Regpack's users endpoint: one `perform` call per request, dispatched by `action` to the method of the
 * same name (a map, so every action is a named, separately callable method). Host code may call the
 * methods directly. Every method takes the caller (or a workspace id) and the project's `group_id`.
 */
@Injectable()
export class FamilyUsersService {
  /** Action name → method. */
  private readonly actions: Record<FamilyUserAction, ActionMethod> = {
    create: (caller, request) => this.create(caller, request),
    create_child: (caller, request) => this.createChild(caller, request),
    login: (caller, request) => this.login(caller, request),
    update: (caller, request) => this.update(caller, request),
    add_product: (caller, request) => this.addProducts(caller, request),
    add_email: (caller, request) => this.addEmail(caller, request),
    get_info: (caller, request) => this.getInfo(caller, request),
    get_user_list: (caller, request) => this.getUserList(caller, request),
    set_status: (caller, request) => this.setStatus(caller, request),
  };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projects: ProjectsService,
    private readonly registrations: FamilyUserRegistrationsService,
    private readonly records: FamilyUserRecordsService,
    private readonly queries: FamilyUserQueriesService,
    private readonly logins: CentralLoginsService,
    private readonly sessions: FamilySessionsService,
    private readonly audit: AuditService,
  ) {}

  /** Runs the request's action; an unknown action is a 400 naming the valid ones. */
  async perform(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    if (!Object.hasOwn(this.actions, request.action)) {
      throw IdentityError.validation(
        `action: must be one of ${FAMILY_USER_ACTIONS.join(', ')} (got '${String(request.action)}')`,
        ['action'],
      );
    }
    return this.actions[request.action](callerLike, request);
  }

  /** `create`: registers a parent or individual (see `FamilyUserRegistrationsService.create`). */
  async create(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    return this.about(request, await this.registrations.create(caller, project, request));
  }

  /** `create_child`: registers a child of `connected_to`. */
  async createChild(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    return this.about(request, await this.registrations.createChild(caller, project, request));
  }

  /**
   * `login`: checks `doc.username` and `doc.password` for the project and answers a single-use
   * `user_token` (10 minutes) to exchange for a family session. Wrong credentials: 401, whatever was wrong.
   */
  async login(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    const doc = request.doc ?? {};
    const problems = new DocProblems();
    const username = stringField(doc, 'username', problems, { max: 200, required: true });
    // Any non-empty password is checked: a policy change must not tell old passwords apart.
    const password = typeof doc.password === 'string' && doc.password.length > 0 ? doc.password : undefined;
    if (password === undefined) {
      problems.add('doc.password', 'is required');
    }
    problems.throwIfAny();
    const { centralLogin } = await this.logins.authenticate(
      caller.workspaceId,
      project.id,
      username!,
      password!,
    );
    const user = await this.queries.require(caller.workspaceId, project.id, centralLogin.cloginId);
    const userToken = await runInTransaction(this.dataSource, async (manager) => {
      const issued = await this.sessions.issueLoginToken(manager, centralLogin, project);
      await this.audit.record(caller.actor, auditEntry(user, 'family-user.login'), manager);
      return issued;
    });
    return { ...this.about(request, user), userToken };
  }

  /** `update`: form fields, password, username, main_email. */
  async update(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    return this.about(request, await this.registrations.update(caller, project, request));
  }

  /** `add_product`: adds `doc.product_list`. */
  async addProducts(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    const { user, products } = await this.records.addProducts(caller, project, request);
    return { ...this.about(request, user), products };
  }

  /** `add_email`: records an email; sends nothing. */
  async addEmail(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    const { user, emailId } = await this.records.addEmail(caller, project, request);
    return { ...this.about(request, user), emailId };
  }

  /** `get_info`: the user, plus the sections `doc` asks for (`_allfields`, `_family`, `_userproducts`…). */
  async getInfo(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.readContext(callerLike, request);
    const user = await this.queries.require(caller.workspaceId, project.id, requireCloginId(request));
    const doc = request.doc ?? {};
    const flags: FamilyUserInfoFlags = {
      allFields: flagOf(doc._allfields),
      family: flagOf(doc._family),
      userProducts: flagOf(doc._userproducts),
      userForms: flagOf(doc._userforms),
      userCart: flagOf(doc._usercart),
      userPayments: flagOf(doc._userpayments),
      utm: flagOf(doc._utm),
    };
    const [family, products] = await Promise.all([
      flags.family ? this.queries.family(user) : undefined,
      flags.userProducts || flags.userCart ? this.queries.products(caller.workspaceId, user.id) : undefined,
    ]);
    return { ...this.about(request, user), info: { flags, family, products } };
  }

  /** `get_user_list`: a page of the project's users (filters in `doc` or beside it). */
  async getUserList(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.readContext(callerLike, request);
    const doc = request.doc ?? {};
    const given = request.list ?? {};
    const flag = (name: keyof FamilyUserListOptions, field: string) =>
      (given[name] as boolean | undefined) ?? flagOf(doc[field]);
    const start =
      given.startingPosition ??
      (doc.starting_position === undefined ? 0 : wholeNumberOf(doc.starting_position, 0));
    if (start === undefined) {
      throw IdentityError.validation('starting_position: must be a whole number of at least 0', [
        'starting_position',
      ]);
    }
    const list = await this.queries.list(caller.workspaceId, project.id, {
      withExcluded: flag('withExcluded', 'with_excluded'),
      onlyExcluded: flag('onlyExcluded', 'only_excluded'),
      onlyParents: flag('onlyParents', 'only_parents'),
      onlyChildren: flag('onlyChildren', 'only_children'),
      returnFamilies: flag('returnFamilies', 'return_families'),
      startingPosition: start,
    });
    return { action: request.action, groupId: project.groupId, user: null, list };
  }

  /** `set_status`: sets or (with 0) clears the status; answers the affected users. */
  async setStatus(callerLike: CallerLike, request: FamilyUsersRequest): Promise<FamilyUsersOutcome> {
    const { caller, project } = await this.writeContext(callerLike, request);
    const affected = await this.registrations.setStatus(caller, project, request);
    return { ...this.about(request, affected[0]), affected };
  }

  /** Every registration of a person across the workspace's projects (for the host's own routes). */
  async listRegistrations(workspaceId: string, cloginId: number): Promise<FamilyUserView[]> {
    return this.queries.registrationsOf(workspaceId, cloginId);
  }

  /** True when `childCloginId` is a child of `parentCloginId` in the workspace (for `FamilyUserGuard`). */
  async isChildOf(workspaceId: string, childCloginId: number, parentCloginId: number): Promise<boolean> {
    return this.queries.isChildOf(workspaceId, childCloginId, parentCloginId);
  }

  private about(request: FamilyUsersRequest, user: FamilyUserView): FamilyUsersOutcome {
    return { action: request.action, groupId: user.groupId, user };
  }

  private async readContext(
    callerLike: CallerLike,
    request: FamilyUsersRequest,
  ): Promise<{ caller: Caller; project: ProjectEntity }> {
    const caller = toCaller(callerLike);
    return { caller, project: await this.projects.findByGroupId(caller.workspaceId, request.groupId) };
  }

  /** Like `readContext`, for actions that write: a read-only key is refused (403) before anything else. */
  private async writeContext(
    callerLike: CallerLike,
    request: FamilyUsersRequest,
  ): Promise<{ caller: Caller; project: ProjectEntity }> {
    const caller = toCaller(callerLike);
    if (caller.scope !== 'write') {
      throw IdentityError.forbidden(
        IdentityErrorReason.ReadOnlyKey,
        `This API key is read-only; ${request.action} needs a read-write key.`,
      );
    }
    return this.readContext(caller, request);
  }
}
