import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { type AnonymizationRequestView, AnonymizationService } from './anonymization.service.js';
import {
  CONVERSATIONS_REPOSITORY,
  type ConversationExport,
  type ConversationsRepository,
} from './conversations/conversations.repository.js';
import { CustomAttributesService } from './custom-attributes/custom-attributes.service.js';
import type { EndUserView } from './end-users.service.js';
import { EndUsersService } from './end-users.service.js';

/** Everything the module stores about one end user (data portability). */
export interface EndUserExport {
  endUser: EndUserView & { updatedAt: Date; anonymizedAt: Date | null };
  conversations: ConversationExport[];
  anonymizationRequests: AnonymizationRequestView[];
}

/** Gathers everything stored about an end user, for `GET /endusers/{userId}/export`. */
@Injectable()
export class EndUserExportService {
  constructor(
    private readonly endUsers: EndUsersService,
    private readonly customAttributes: CustomAttributesService,
    private readonly anonymization: AnonymizationService,
    @Inject(CONVERSATIONS_REPOSITORY) private readonly conversations: ConversationsRepository,
    private readonly audit: AuditService,
  ) {}

  /** The user, its custom attribute values, conversations with messages and anonymization requests. */
  async export(callerLike: CallerLike, endUserId: string): Promise<EndUserExport> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    const record = await this.endUsers.find(workspaceId, endUserId);
    const [customAttributes, conversations, anonymizationRequests] = await Promise.all([
      this.customAttributes.valuesOf(caller, record.id),
      this.conversations.exportForEndUser(workspaceId, record.id),
      this.anonymization.requestsFor(caller, record.id),
    ]);
    // Who read a person's whole record is worth knowing; the entry holds ids only.
    await this.audit.record(caller.actor, {
      workspaceId,
      action: 'end-user.export',
      targetType: 'end_user',
      targetId: record.id,
    });
    return { endUser: { ...record, customAttributes }, conversations, anonymizationRequests };
  }
}
