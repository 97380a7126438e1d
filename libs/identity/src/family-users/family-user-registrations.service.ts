import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { AuditService } from '../audit/audit.service.js';
import type { Caller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  insertRows,
  isUniqueViolation,
  newId,
  runInTransaction,
  updateRows,
} from '../common/persistence/persistence.js';
import { CentralLoginEntity } from './central-login.entity.js';
import { CentralLoginsService, usernameKey } from './central-logins.service.js';
import { FamilySessionsService } from './family-sessions.service.js';
import { FamilyUserEntity } from './family-user.entity.js';
import { FamilyUserQueriesService } from './family-user-queries.service.js';
import type { FamilyUsersRequest, FamilyUserView } from './family-user.view.js';
import {
  DocProblems,
  emailField,
  formFieldsOf,
  passwordField,
  refuseSystemFields,
  stringField,
  wholeNumberOf,
} from './family-user-doc.js';
import { lockWorkspace } from './family-numbers.js';
import { PasswordHasher } from './password-hasher.js';
import type { ProjectEntity } from './project.entity.js';
import { StatusesService } from './statuses.service.js';

/** A person to register: an existing central login, or credentials for a new one. */
type Person =
  | { existing: CentralLoginEntity }
  | { username: string | null; passwordHash: string | null; mainEmail: string | null };

/** Registrations: create (parents, individuals and children), update, set status. */
@Injectable()
export class FamilyUserRegistrationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly logins: CentralLoginsService,
    private readonly passwords: PasswordHasher,
    private readonly queries: FamilyUserQueriesService,
    private readonly statuses: StatusesService,
    private readonly sessions: FamilySessionsService,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /**
   * Registers a parent or individual in the project: a new person (username, password ≥ 6, main_email),
   * the person already known in the workspace by that username (keeping their `clogin_id` and password),
   * or the person `clogin_id` names.
   */
  async create(caller: Caller, project: ProjectEntity, request: FamilyUsersRequest): Promise<FamilyUserView> {
    const doc = request.doc ?? {};
    refuseSystemFields(doc);
    let person: Person;
    if (request.cloginId !== undefined) {
      person = { existing: await this.requirePerson(caller.workspaceId, request.cloginId) };
    } else {
      const problems = new DocProblems();
      const username = stringField(doc, 'username', problems, { max: 200, required: true });
      const password = passwordField(doc, problems, true);
      const mainEmail = emailField(doc, 'main_email', problems, true);
      problems.throwIfAny();
      const known = await this.logins.findByUsername(caller.workspaceId, username!);
      person = known
        ? { existing: known }
        : { username: username!, passwordHash: await this.passwords.hash(password!), mainEmail: mainEmail! };
    }
    return this.register(caller, project, request, person, null, 'family-user.create');
  }

  /** Registers a child of `connected_to` (a parent of the workspace) in the project. */
  async createChild(
    caller: Caller,
    project: ProjectEntity,
    request: FamilyUsersRequest,
  ): Promise<FamilyUserView> {
    const doc = request.doc ?? {};
    if (request.connectedTo === undefined) {
      throw IdentityError.validation("connected_to: is required for create_child (the parent's clogin_id)", [
        'connected_to',
      ]);
    }
    refuseSystemFields(doc);
    const parent = await this.logins.findByCloginId(caller.workspaceId, request.connectedTo);
    if (!parent) {
      throw IdentityError.notFound(`Parent (connected_to ${request.connectedTo}) not found.`);
    }
    if (await this.queries.isChild(caller.workspaceId, parent.cloginId)) {
      throw IdentityError.validation(
        `connected_to: clogin_id ${parent.cloginId} is a child; a child's parent must be a parent`,
        ['connected_to'],
      );
    }
    let person: Person;
    if (request.cloginId !== undefined) {
      if (request.cloginId === parent.cloginId) {
        throw IdentityError.validation('clogin_id: a person cannot be their own child', ['clogin_id']);
      }
      person = { existing: await this.requirePerson(caller.workspaceId, request.cloginId) };
    } else {
      // A child needs no login of its own; one given is checked like a parent's.
      const problems = new DocProblems();
      const username = stringField(doc, 'username', problems, { max: 200 });
      const password = passwordField(doc, problems, username !== undefined);
      const mainEmail = emailField(doc, 'main_email', problems, false);
      problems.throwIfAny();
      if (username !== undefined && (await this.logins.findByUsername(caller.workspaceId, username))) {
        throw IdentityError.conflict(`Username ${username} is taken in this workspace.`);
      }
      person = {
        username: username ?? null,
        passwordHash: password === undefined ? null : await this.passwords.hash(password),
        mainEmail: mainEmail ?? null,
      };
    }
    return this.register(caller, project, request, person, parent.cloginId, 'family-user.create-child');
  }

  /**
   * Changes form fields (merged into the stored ones) and, when given, the password (every session of
   * the person ends), username or main_email. `_`-prefixed system fields are refused (400).
   */
  async update(caller: Caller, project: ProjectEntity, request: FamilyUsersRequest): Promise<FamilyUserView> {
    const cloginId = requireCloginId(request);
    const doc = request.doc ?? {};
    refuseSystemFields(doc);
    if (Object.keys(doc).length === 0) {
      throw IdentityError.validation('doc: give the fields to update', ['doc']);
    }
    const problems = new DocProblems();
    const username = stringField(doc, 'username', problems, { max: 200 });
    const password = passwordField(doc, problems, false);
    const mainEmail = emailField(doc, 'main_email', problems, false);
    problems.throwIfAny();
    const user = await this.queries.require(caller.workspaceId, project.id, cloginId);
    const passwordHash = password === undefined ? undefined : await this.passwords.hash(password);
    const now = new Date();
    const submitForms = request.submitForms ?? true;
    try {
      await runInTransaction(this.dataSource, async (manager) => {
        const login: Partial<CentralLoginEntity> = {};
        if (passwordHash !== undefined) {
          login.passwordHash = passwordHash;
          await this.sessions.revokeSessions(manager, user.centralLoginId);
        }
        if (username !== undefined) {
          login.username = username;
          login.usernameKey = usernameKey(username);
        }
        if (mainEmail !== undefined) {
          login.mainEmail = mainEmail;
        }
        if (Object.keys(login).length > 0) {
          await updateRows(
            manager,
            CentralLoginEntity,
            { id: user.centralLoginId },
            { ...login, updatedAt: now },
          );
        }
        await updateRows(
          manager,
          FamilyUserEntity,
          { id: user.id, workspaceId: caller.workspaceId },
          {
            fields: { ...user.fields, ...formFieldsOf(doc) },
            formSubmittedAt: submitForms ? now : user.formSubmittedAt,
            updatedAt: now,
          },
        );
        await this.audit.record(caller.actor, auditEntry(user, 'family-user.update'), manager);
      });
    } catch (err) {
      if (username !== undefined && isUniqueViolation(err)) {
        throw IdentityError.conflict(`Username ${username} is taken in this workspace.`);
      }
      throw err;
    }
    if (passwordHash !== undefined) {
      await this.sessions.forgetSessions(user.centralLoginId);
    }
    this.events.emit(IdentityEvents.familyUserUpdated, {
      ...eventIds(user),
      change: 'fields',
      formsSubmitted: submitForms,
    });
    return this.queries.require(caller.workspaceId, project.id, cloginId);
  }

  /** Sets the registration's status (`status_id` of this project; 0 clears it); answers the affected users. */
  async setStatus(
    caller: Caller,
    project: ProjectEntity,
    request: FamilyUsersRequest,
  ): Promise<FamilyUserView[]> {
    const cloginId = requireCloginId(request);
    const statusId = request.statusId ?? wholeNumberOf(request.doc?.status_id, 0);
    if (statusId === undefined) {
      throw IdentityError.validation('status_id: is required (a status of this project, or 0 to clear)', [
        'status_id',
      ]);
    }
    const user = await this.queries.require(caller.workspaceId, project.id, cloginId);
    const status =
      statusId === 0 ? null : await this.statuses.findInProject(caller.workspaceId, project.id, statusId);
    await runInTransaction(this.dataSource, async (manager) => {
      await updateRows(
        manager,
        FamilyUserEntity,
        { id: user.id, workspaceId: caller.workspaceId },
        { statusRefId: status?.id ?? null, updatedAt: new Date() },
      );
      await this.audit.record(caller.actor, auditEntry(user, 'family-user.set-status'), manager);
    });
    this.events.emit(IdentityEvents.familyUserStatusChanged, { ...eventIds(user), statusId });
    return [await this.queries.require(caller.workspaceId, project.id, cloginId)];
  }

  private async requirePerson(workspaceId: string, cloginId: number): Promise<CentralLoginEntity> {
    const person = await this.logins.findByCloginId(workspaceId, cloginId);
    if (!person) {
      throw IdentityError.notFound(`User ${cloginId} not found.`);
    }
    return person;
  }

  /** One transaction: the person (found again under the workspace lock, or made), then the registration. */
  private async register(
    caller: Caller,
    project: ProjectEntity,
    request: FamilyUsersRequest,
    person: Person,
    connectedTo: number | null,
    action: string,
  ): Promise<FamilyUserView> {
    const submitForms = request.submitForms ?? true;
    const now = new Date();
    let registration: FamilyUserEntity;
    try {
      registration = await runInTransaction(this.dataSource, async (manager) => {
        await lockWorkspace(manager, caller.workspaceId);
        const login = await this.personUnderLock(manager, caller.workspaceId, person);
        const row: FamilyUserEntity = {
          id: newId(),
          workspaceId: caller.workspaceId,
          projectId: project.id,
          centralLoginId: login.id,
          cloginId: login.cloginId,
          connectedTo,
          fields: formFieldsOf(request.doc ?? {}),
          statusRefId: null,
          formSubmittedAt: submitForms ? now : null,
          createdAt: now,
          updatedAt: now,
        };
        await insertRows(manager, FamilyUserEntity, row);
        await this.audit.record(
          caller.actor,
          { workspaceId: caller.workspaceId, action, targetType: 'family_user', targetId: row.id },
          manager,
        );
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw IdentityError.conflict('This user is already registered in this project.');
      }
      throw err;
    }
    const ids = {
      workspaceId: caller.workspaceId,
      id: registration.id,
      groupId: project.groupId,
      cloginId: registration.cloginId,
    };
    this.events.emit(IdentityEvents.familyUserCreated, { ...ids, connectedTo, formsSubmitted: submitForms });
    if (!request.disableEmailSending) {
      this.events.emit(IdentityEvents.familyUserEmail, { ...ids, kind: 'registration' });
    }
    return this.queries.require(caller.workspaceId, project.id, registration.cloginId);
  }

  private async personUnderLock(
    manager: EntityManager,
    workspaceId: string,
    person: Person,
  ): Promise<CentralLoginEntity> {
    if ('existing' in person) {
      return person.existing;
    }
    // Someone may have registered the username since it was looked up: that person it is, then.
    const known = person.username
      ? await this.logins.findByUsername(workspaceId, person.username, manager)
      : null;
    return known ?? this.logins.insert(manager, workspaceId, person);
  }
}

/** `clogin_id`, required by every action but create. */
export function requireCloginId(request: FamilyUsersRequest): number {
  if (request.cloginId === undefined) {
    throw IdentityError.validation(`clogin_id: is required for ${request.action}`, ['clogin_id']);
  }
  return request.cloginId;
}

/** The ids every family-user event carries. */
export function eventIds(user: FamilyUserView) {
  return { workspaceId: user.workspaceId, id: user.id, groupId: user.groupId, cloginId: user.cloginId };
}

/** The audit entry of a write to a registration: ids only. */
export function auditEntry(user: FamilyUserView, action: string) {
  return { workspaceId: user.workspaceId, action, targetType: 'family_user', targetId: user.id };
}
