import type { EntityManager } from 'typeorm';
import type { KeysetPage, KeysetPageRequest } from '../../common/pagination/keyset.js';
import type { ConversationMessageAuthor, ConversationStatus } from './conversation.entity.js';

/** Injection token of the conversations source (`ConversationsRepository`). */
export const CONVERSATIONS_REPOSITORY = Symbol('CONVERSATIONS_REPOSITORY');

/** A conversation as the end-users surface lists it. */
export interface ConversationView {
  id: string;
  endUserId: string;
  channel: string;
  status: ConversationStatus;
  createdAt: Date;
  closedAt: Date | null;
}

/** A conversation with everything stored about it, for the data export. */
export interface ConversationExport extends ConversationView {
  subject: string | null;
  messages: { id: string; author: ConversationMessageAuthor; text: string | null; createdAt: Date }[];
}

/**
 * Where the end-users surface finds an end user's conversations. The module stores them itself
 * (`ConversationsService`); a host that keeps conversations elsewhere passes its own implementation
 * as `endUsers.conversations` and anonymization, listing and export use it.
 *
 * `manager` is the transaction of the calling write (anonymization), for sources in the same database;
 * other sources may ignore it. Every method is scoped by workspace.
 */
export interface ConversationsRepository {
  /** One keyset page of the user's conversations, oldest first, by `(createdAt, id)`. */
  listForEndUser(
    workspaceId: string,
    endUserId: string,
    page: KeysetPageRequest,
  ): Promise<KeysetPage<ConversationView>>;
  /** How many of the user's conversations are open. */
  countOpen(workspaceId: string, endUserId: string, manager?: EntityManager): Promise<number>;
  /** Closes every open conversation of the user at `at`; answers how many were closed. */
  closeOpen(workspaceId: string, endUserId: string, at: Date, manager?: EntityManager): Promise<number>;
  /** Removes, irreversibly, all personal data of the user's conversations and their messages. */
  erasePersonalData(workspaceId: string, endUserId: string, manager?: EntityManager): Promise<void>;
  /** Everything stored about the user's conversations, for data portability. */
  exportForEndUser(workspaceId: string, endUserId: string): Promise<ConversationExport[]>;
}
