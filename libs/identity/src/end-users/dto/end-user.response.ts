import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '../../common/peers/swagger.js';
import type { AnonymizationRequestView } from '../anonymization.service.js';
import type { ConversationExport, ConversationView } from '../conversations/conversations.repository.js';
import type { CustomAttributeValueView } from '../custom-attributes/custom-attributes.service.js';
import type { EndUserExport } from '../end-user-export.service.js';
import type { EndUserRecord } from '../end-user-rows.js';
import type { BulkFailureType, BulkOutcome } from '../end-users-bulk.service.js';
import type { EndUserView } from '../end-users.service.js';

/** `{ id, name, identifier, value }`: one custom attribute value of an end user. */
export class DixaCustomAttributeValue implements CustomAttributeValueView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: "The attribute's label", example: 'Plan' })
  name: string;

  @ApiProperty({ example: 'plan' })
  identifier: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'A string (Text) or the path of option values (Select)',
  })
  value: string | string[];
}

/** Dixa's `EndUser` as a list item: without custom attributes, as the seed notes. */
export class DixaEndUserListItem {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2020-12-16T09:41:43Z' })
  createdAt: string;

  @ApiPropertyOptional({ example: 'Alice Brown' })
  displayName?: string;

  @ApiPropertyOptional({ example: 'alice@brown.com' })
  email?: string;

  @ApiPropertyOptional({ example: '+551155256325' })
  phoneNumber?: string;

  @ApiProperty({ type: [String] })
  additionalEmails: string[];

  @ApiProperty({ type: [String] })
  additionalPhoneNumbers: string[];

  @ApiPropertyOptional({ example: 'Alice' })
  firstName?: string;

  @ApiPropertyOptional({ example: 'Brown' })
  lastName?: string;

  @ApiProperty({ type: [String] })
  middleNames: string[];

  @ApiPropertyOptional({ example: 'https://files.example.com/avatar.png' })
  avatarUrl?: string;

  @ApiPropertyOptional({ example: '#12345678' })
  externalId?: string;

  /** The seed's shape of a record: fields without a value are left out. */
  static from(record: EndUserRecord): DixaEndUserListItem {
    const item: DixaEndUserListItem = {
      id: record.id,
      createdAt: record.createdAt.toISOString(),
      additionalEmails: record.additionalEmails,
      additionalPhoneNumbers: record.additionalPhoneNumbers,
      middleNames: record.middleNames,
    };
    for (const key of [
      'displayName',
      'email',
      'phoneNumber',
      'firstName',
      'lastName',
      'avatarUrl',
      'externalId',
    ] as const) {
      const value = record[key];
      if (value !== null) {
        item[key] = value;
      }
    }
    return item;
  }
}

/** Dixa's `EndUser` with its custom attribute values. */
export class DixaEndUser extends DixaEndUserListItem {
  @ApiProperty({ type: [DixaCustomAttributeValue] })
  customAttributes: DixaCustomAttributeValue[];

  static fromView(view: EndUserView): DixaEndUser {
    return { ...DixaEndUserListItem.from(view), customAttributes: view.customAttributes };
  }
}

/** `{ data: endUser }`. */
export class DixaEndUserResponse {
  @ApiProperty({ type: DixaEndUser })
  data: DixaEndUser;
}

/** Full URLs of the neighbouring pages; absent when there is none. */
export class DixaPageLinks {
  @ApiPropertyOptional({ example: 'https://host/beta/endusers?pageLimit=100&pageKey=…' })
  previous?: string;

  @ApiPropertyOptional({ example: 'https://host/beta/endusers?pageLimit=100&pageKey=…' })
  next?: string;
}

/** `{ data, meta }` of `GET /endusers`. */
export class DixaEndUserListResponse {
  @ApiProperty({ type: [DixaEndUserListItem] })
  data: DixaEndUserListItem[];

  @ApiProperty({ type: DixaPageLinks })
  meta: DixaPageLinks;
}

/** Why one bulk item failed. */
export class DixaBulkError {
  @ApiProperty({
    enum: ['Validation', 'NotFound', 'Integrity', 'Infrastructure', 'EmptyPatchSet', 'ErrorResponse'],
  })
  _type: BulkFailureType;

  @ApiPropertyOptional({ format: 'uuid', description: 'The end user id the item named' })
  id?: string;

  @ApiProperty({ example: 'email: must be an email address' })
  message: string;
}

/** A bulk item that was written. */
export class DixaBulkActionSuccess {
  @ApiProperty({ enum: ['BulkActionSuccess'] })
  _type: 'BulkActionSuccess';

  @ApiProperty({ type: DixaEndUserListItem })
  data: DixaEndUserListItem;
}

/** A bulk item that was not written; its neighbours are unaffected. */
export class DixaBulkActionFailure {
  @ApiProperty({ enum: ['BulkActionFailure'] })
  _type: 'BulkActionFailure';

  @ApiProperty({ type: DixaBulkError })
  error: DixaBulkError;
}

/** `{ data: [outcome, …] }`: one outcome per item, in the order of the request. */
export class DixaBulkResponse {
  @ApiProperty({
    type: 'array',
    items: {
      oneOf: [{ $ref: getSchemaPath(DixaBulkActionSuccess) }, { $ref: getSchemaPath(DixaBulkActionFailure) }],
    },
  })
  data: (DixaBulkActionSuccess | DixaBulkActionFailure)[];

  static from(outcomes: BulkOutcome<EndUserRecord>[]): DixaBulkResponse {
    return {
      data: outcomes.map((outcome) => {
        if (outcome.ok) {
          return { _type: 'BulkActionSuccess', data: DixaEndUserListItem.from(outcome.data) };
        }
        const { type, id, message } = outcome.error;
        return {
          _type: 'BulkActionFailure',
          error: id === undefined ? { _type: type, message } : { _type: type, id, message },
        };
      }),
    };
  }
}

/** `{ data: [values] }` of `PATCH /endusers/{userId}/custom-attributes`. */
export class DixaCustomAttributeValuesResponse {
  @ApiProperty({ type: [DixaCustomAttributeValue] })
  data: DixaCustomAttributeValue[];
}

/** The seed's anonymization request record. */
export class DixaAnonymizationRequest {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['UserAnonymizationType'], deprecated: true, description: 'Replaced by _type field' })
  entityType: 'UserAnonymizationType';

  @ApiProperty({ enum: ['User'] })
  _type: 'User';

  @ApiProperty({ type: String, format: 'date-time' })
  initiatedAt: string;

  @ApiProperty({ format: 'uuid', description: 'The end user id' })
  targetEntityId: string;

  @ApiProperty({ description: 'Id of the API key that asked (or "system" for host code)' })
  requestedBy: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  processedAt?: string;

  static from(request: AnonymizationRequestView): DixaAnonymizationRequest {
    return {
      id: request.id,
      entityType: 'UserAnonymizationType',
      _type: request.type,
      initiatedAt: request.initiatedAt.toISOString(),
      targetEntityId: request.targetEntityId,
      requestedBy: request.requestedBy ?? 'system',
      ...(request.processedAt ? { processedAt: request.processedAt.toISOString() } : {}),
    };
  }
}

/** `{ data: request }`. */
export class DixaAnonymizationResponse {
  @ApiProperty({ type: DixaAnonymizationRequest })
  data: DixaAnonymizationRequest;
}

/** A conversation requested by an end user. */
export class DixaConversation {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  endUserId: string;

  @ApiProperty({ example: 'email' })
  channel: string;

  @ApiProperty({ enum: ['open', 'closed'] })
  status: 'open' | 'closed';

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  closedAt?: string;

  static from(conversation: ConversationView): DixaConversation {
    return {
      id: conversation.id,
      endUserId: conversation.endUserId,
      channel: conversation.channel,
      status: conversation.status,
      createdAt: conversation.createdAt.toISOString(),
      ...(conversation.closedAt ? { closedAt: conversation.closedAt.toISOString() } : {}),
    };
  }
}

/** `{ data, meta }` of `GET /endusers/{userId}/conversations`. */
export class DixaConversationListResponse {
  @ApiProperty({ type: [DixaConversation] })
  data: DixaConversation[];

  @ApiProperty({ type: DixaPageLinks })
  meta: DixaPageLinks;
}

/** Everything stored about an end user. */
export class DixaEndUserExport {
  @ApiProperty({ description: 'The end user with every stored field and its custom attribute values' })
  endUser: Record<string, unknown>;

  @ApiProperty({
    description: 'Its conversations with their messages',
    type: 'array',
    items: { type: 'object' },
  })
  conversations: Record<string, unknown>[];

  @ApiProperty({ type: [DixaAnonymizationRequest] })
  anonymizationRequests: DixaAnonymizationRequest[];

  static from(exported: EndUserExport): DixaEndUserExport {
    const { endUser } = exported;
    return {
      endUser: {
        ...DixaEndUser.fromView(endUser),
        updatedAt: endUser.updatedAt.toISOString(),
        ...(endUser.anonymizedAt ? { anonymizedAt: endUser.anonymizedAt.toISOString() } : {}),
      },
      conversations: exported.conversations.map((c: ConversationExport) => ({
        ...DixaConversation.from(c),
        subject: c.subject,
        messages: c.messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })),
      })),
      anonymizationRequests: exported.anonymizationRequests.map((r) => DixaAnonymizationRequest.from(r)),
    };
  }
}

/** `{ data: export }` of `GET /endusers/{userId}/export`. */
export class DixaEndUserExportResponse {
  @ApiProperty({ type: DixaEndUserExport })
  data: DixaEndUserExport;
}

/** `{ message }`: Dixa's error body. */
export class DixaError {
  @ApiProperty({ example: 'End user not found.' })
  message: string;
}
