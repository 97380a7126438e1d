import type { ConversationsRepository } from './conversations/conversations.repository.js';

/** Options of the end-users surface (`endUsers` in `IdentityModule.forRoot`). */
export interface EndUsersOptions {
  /**
   * Where end users' conversations live, when the host keeps them itself: listing, anonymization and the
   * export then use it. Default: the module's own `ConversationsService`. With `forRootAsync`, inject
   * the host's service into the factory and pass it here.
   */
  conversations?: ConversationsRepository;
}

/** The end-users options after checks. */
export interface ResolvedEndUsersOptions {
  conversations?: ConversationsRepository;
}

const REPOSITORY_METHODS = [
  'listForEndUser',
  'countOpen',
  'closeOpen',
  'erasePersonalData',
  'exportForEndUser',
] as const satisfies readonly (keyof ConversationsRepository)[];

/** Checks the end-users options and adds what is wrong to `problems`, with the fix. */
export function resolveEndUsersOptions(
  options: EndUsersOptions | undefined,
  problems: string[],
): ResolvedEndUsersOptions {
  const conversations = options?.conversations;
  if (conversations !== undefined) {
    const missing = REPOSITORY_METHODS.filter(
      (name) => typeof (conversations as unknown as Record<string, unknown>)?.[name] !== 'function',
    );
    if (missing.length > 0) {
      problems.push(
        `endUsers.conversations must implement ConversationsRepository; it lacks ${missing.join(', ')}`,
      );
    }
  }
  return conversations === undefined ? {} : { conversations };
}
