import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Caller } from '../audit/caller.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { IdentityEvents } from '../identity.constants.js';
import { FamilyUsersService } from './family-users.service.js';
import { PasswordHasher } from './password-hasher.js';
import { ProjectsService } from './projects.service.js';
import { StatusesService } from './statuses.service.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

describe(FamilyUsersService.name, () => {
  let ctx: ServiceSetup<FamilyUsersService>;
  let sut: FamilyUsersService;
  let workspaceId: string;
  let groupId: number;
  let emitted: { name: string; payload: Record<string, unknown> }[];

  beforeEach(async () => {
    ctx = await setup(FamilyUsersService);
    sut = ctx.sut;
    workspaceId = ctx.workspaceId;
    emitted = [];
    // The unit module has no EventEmitterModule: record what would be sent.
    jest
      .spyOn(ctx.get(IdentityEventsPublisher), 'emit')
      .mockImplementation((name, payload) => emitted.push({ name, payload }));
    // A cheap stand-in hash: these specs are about the rules, not the hashing (see password-hasher.spec.ts).
    const hasher = ctx.get(PasswordHasher);
    jest.spyOn(hasher, 'hash').mockImplementation(async (p) => `$test$${Buffer.from(p).toString('hex')}`);
    jest
      .spyOn(hasher, 'verify')
      .mockImplementation(async (h, p) => h === `$test$${Buffer.from(p).toString('hex')}`);
    jest.spyOn(hasher, 'verifyDummy').mockResolvedValue(false);
    groupId = (await ctx.get(ProjectsService).create(workspaceId, { name: 'Camp' })).groupId;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  const readCaller = (): Caller => ({ workspaceId, actor: { type: 'api_key', id: 'reader' }, scope: 'read' });

  async function createParent(name = 'pat@example.com') {
    const outcome = await sut.perform(workspaceId, {
      action: 'create',
      groupId,
      doc: { username: name, password: 'secret-1', main_email: name, first_name: 'Pat' },
    });
    return outcome.user!;
  }

  it('dispatches only the seed actions, refusing anything else (inherited names too) with a 400 listing them', async () => {
    for (const action of ['delete', 'constructor', '__proto__', 'toString', 'perform']) {
      const attempt = sut.perform(workspaceId, { action: action as 'create', groupId });
      await expectIdentityError(attempt, IdentityErrorCode.Validation);
      await expect(attempt).rejects.toThrow(/create, create_child, login, update, add_product/);
    }
  });

  it('sends each action to the method of that name', async () => {
    const getInfo = jest.spyOn(sut, 'getInfo');
    const createChild = jest.spyOn(sut, 'createChild');
    const parent = await createParent();
    await sut.perform(workspaceId, { action: 'get_info', groupId, cloginId: parent.cloginId });
    await sut.perform(workspaceId, { action: 'create_child', groupId, connectedTo: parent.cloginId });
    expect(getInfo).toHaveBeenCalledTimes(1);
    expect(createChild).toHaveBeenCalledTimes(1);
  });

  it('refuses every writing action from a read-only caller (403), and lets it read', async () => {
    const parent = await createParent();
    for (const action of [
      'create',
      'create_child',
      'login',
      'update',
      'add_product',
      'add_email',
      'set_status',
    ] as const) {
      await expectIdentityError(
        sut.perform(readCaller(), { action, groupId, cloginId: parent.cloginId, doc: {} }),
        IdentityErrorCode.Forbidden,
      );
    }
    const info = await sut.perform(readCaller(), { action: 'get_info', groupId, cloginId: parent.cloginId });
    expect(info.user?.cloginId).toBe(parent.cloginId);
  });

  it("answers 404 for another workspace's project and people", async () => {
    const parent = await createParent();
    const other = (await ctx.get(WorkspacesService).create('Other')).id;
    const projects = ctx.get(ProjectsService);
    await projects.create(other, { name: 'B1' });
    const b2 = await projects.create(other, { name: 'B2' });
    expect(b2.groupId).toBe(2); // numbered per workspace; this workspace has no group 2
    await expectIdentityError(
      sut.perform(workspaceId, { action: 'get_user_list', groupId: 2 }),
      IdentityErrorCode.NotFound,
    );
    await expectIdentityError(
      sut.perform(other, { action: 'get_info', groupId: 1, cloginId: parent.cloginId }),
      IdentityErrorCode.NotFound,
    );
  });

  it('numbers people per workspace and links a child to its parent', async () => {
    const parent = await createParent();
    const child = (
      await sut.perform(workspaceId, { action: 'create_child', groupId, connectedTo: parent.cloginId })
    ).user!;
    expect([parent.cloginId, child.cloginId]).toEqual([1, 2]);
    expect(parent.connectedTo).toBeNull();
    expect(child.connectedTo).toBe(parent.cloginId);
    await expectIdentityError(
      sut.perform(workspaceId, { action: 'create_child', groupId, connectedTo: child.cloginId }),
      IdentityErrorCode.Validation,
    );
    expect(await sut.isChildOf(workspaceId, child.cloginId, parent.cloginId)).toBe(true);
    expect(await sut.isChildOf(workspaceId, parent.cloginId, child.cloginId)).toBe(false);
  });

  it('emits created, status-changed and email events carrying ids only', async () => {
    const parent = await createParent('secret.person@example.com');
    const status = await ctx
      .get(StatusesService)
      .create(workspaceId, groupId, { name: 'Paid', color: '#00aa00' });
    await sut.perform(workspaceId, {
      action: 'set_status',
      groupId,
      cloginId: parent.cloginId,
      statusId: status.statusId,
    });
    await sut.perform(workspaceId, {
      action: 'add_email',
      groupId,
      cloginId: parent.cloginId,
      disableEmailSending: true,
      doc: { from: 'a@example.com', to: 'b@example.com', subject: 'Hi' },
    });
    expect(emitted.map((e) => e.name)).toEqual([
      IdentityEvents.familyUserCreated,
      IdentityEvents.familyUserEmail, // the registration's, not the suppressed add_email's
      IdentityEvents.familyUserStatusChanged,
    ]);
    expect(emitted[2].payload).toMatchObject({
      workspaceId,
      id: parent.id,
      cloginId: parent.cloginId,
      statusId: status.statusId,
    });
    expect(JSON.stringify(emitted)).not.toMatch(/secret|example\.com/);
  });

  it('keeps a password out of the form fields', async () => {
    const parent = await createParent();
    expect(parent.fields).toEqual({ main_email: 'pat@example.com', first_name: 'Pat' });
  });
});
