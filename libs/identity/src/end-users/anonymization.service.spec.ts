import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { type ServiceSetup, setup } from '../../testing/service-setup.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { IdentityOptionsError, resolveIdentityOptions } from '../identity.module-definition.js';
import { AnonymizationService } from './anonymization.service.js';
import type { ConversationsRepository } from './conversations/conversations.repository.js';
import { CustomAttributesService } from './custom-attributes/custom-attributes.service.js';
import { EndUsersService } from './end-users.service.js';

/** A host's own conversations source, recording what the module asks of it. */
function hostConversations(open: number) {
  const calls: string[] = [];
  const repository: ConversationsRepository = {
    listForEndUser: async () => ({ items: [] }),
    countOpen: async (_w, id) => {
      calls.push(`countOpen ${id}`);
      return open;
    },
    closeOpen: async (_w, id) => {
      calls.push(`closeOpen ${id}`);
      return open;
    },
    erasePersonalData: async (_w, id) => {
      calls.push(`erase ${id}`);
    },
    exportForEndUser: async () => [],
  };
  return { repository, calls };
}

describe(AnonymizationService.name, () => {
  let ctx: ServiceSetup<AnonymizationService>;

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  async function aliceIn(c: ServiceSetup<AnonymizationService>): Promise<string> {
    const users = c.get(EndUsersService);
    return (
      await users.create(c.workspaceId, { email: 'alice@brown.com', firstName: 'Alice', externalId: 'a-1' })
    ).id;
  }

  it("uses the host's CONVERSATIONS_REPOSITORY when one is given: refuses, then closes and erases through it", async () => {
    const host = hostConversations(2);
    ctx = await setup(AnonymizationService, { endUsers: { conversations: host.repository } });
    const id = await aliceIn(ctx);
    await expect(ctx.sut.anonymize(ctx.workspaceId, id)).rejects.toMatchObject({
      code: IdentityErrorCode.Validation,
      message: expect.stringContaining('2 open conversations'),
    });
    const request = await ctx.sut.anonymize(ctx.workspaceId, id, { force: true });
    expect(request).toMatchObject({ type: 'User', targetEntityId: id, requestedBy: null });
    expect(host.calls).toEqual([`countOpen ${id}`, `countOpen ${id}`, `closeOpen ${id}`, `erase ${id}`]);
  });

  it('erases every PII field and the custom attribute values, keeping the user row', async () => {
    ctx = await setup(AnonymizationService);
    const id = await aliceIn(ctx);
    const attributes = ctx.get(CustomAttributesService);
    const note = await attributes.create(ctx.workspaceId, {
      entityType: 'Contact',
      identifier: 'note',
      label: 'Note',
      inputDefinition: { _type: 'Text' },
    });
    await attributes.patchEndUserValues(ctx.workspaceId, id, { [note.id]: 'private' });
    await ctx.sut.anonymize(ctx.workspaceId, id);
    const user = await ctx.get(EndUsersService).get(ctx.workspaceId, id);
    expect(user).toMatchObject({
      displayName: null,
      email: null,
      phoneNumber: null,
      additionalEmails: [],
      additionalPhoneNumbers: [],
      firstName: null,
      lastName: null,
      middleNames: [],
      avatarUrl: null,
      externalId: null,
      customAttributes: [],
    });
    expect(user.anonymizedAt).toBeInstanceOf(Date);
  });

  it('is refused by an option that is not a ConversationsRepository, with the fix', () => {
    expect(() =>
      resolveIdentityOptions({
        tokenSecret: 'x'.repeat(40),
        endUsers: { conversations: { countOpen: async () => 0 } as unknown as ConversationsRepository },
      }),
    ).toThrow(IdentityOptionsError);
    expect(() =>
      resolveIdentityOptions({
        tokenSecret: 'x'.repeat(40),
        endUsers: { conversations: {} as ConversationsRepository },
      }),
    ).toThrow(/endUsers.conversations must implement ConversationsRepository; it lacks listForEndUser/);
  });
});
