import { ApiProperty } from '../../common/peers/swagger.js';
import type { ExternalUserEntity } from '../external-user.entity.js';

/** Zaia's external user object. */
export class ZaiaExternalUser {
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'uuid', description: 'A UUID string that identifies an entity.' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ description: 'Whether the external user is blocked.' })
  blocked: boolean;

  @ApiProperty({ format: 'uuid', description: 'The ID of the channel associated with the external user.' })
  channelId: string;

  @ApiProperty({
    type: String,
    nullable: true,
    minLength: 3,
    maxLength: 250,
    description: 'External reference in the integrated system.',
  })
  externalId: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ID of the external user group associated with the external user.',
  })
  externalUserGroupId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A unique identifier of the external user (usernames, emails, phone numbers and etc).',
  })
  identifier: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    minLength: 3,
    maxLength: 50,
    description: 'The display name of the external user.',
  })
  name: string | null;

  @ApiProperty({
    format: 'uuid',
    description: 'The ID of the super identity associated with the external user.',
  })
  superIdentityId: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ID of the tier associated with the external user.',
  })
  tierId: string | null;

  @ApiProperty({ format: 'uuid', description: 'The ID of the workspace associated with the external user.' })
  workspaceId: string;

  static from(user: ExternalUserEntity): ZaiaExternalUser {
    return {
      createdAt: new Date(user.createdAt).toISOString(),
      id: user.id,
      updatedAt: new Date(user.updatedAt).toISOString(),
      blocked: Boolean(user.blocked),
      channelId: user.channelId,
      externalId: user.externalId,
      externalUserGroupId: user.externalUserGroupId,
      identifier: user.identifier,
      name: user.name,
      superIdentityId: user.superIdentityId,
      tierId: user.tierId,
      workspaceId: user.workspaceId,
    };
  }
}

/** Zaia's answer to authenticate and create: the external user and a new access token (shown once). */
export class ZaiaExternalUserWithToken extends ZaiaExternalUser {
  @ApiProperty({
    description: 'An access token (eut_…) for the external user; send it as "Authorization: Bearer <token>"',
  })
  accessToken: string;

  static withToken(user: ExternalUserEntity, accessToken: string): ZaiaExternalUserWithToken {
    return { ...ZaiaExternalUser.from(user), accessToken };
  }
}
