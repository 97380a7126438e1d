import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { IsOptional, IsString, IsUUID, Length } from 'class-validator';
import type { ExternalUserGroupEntity } from '../external-user-group.entity.js';
import { LIMITS } from '../external-users.rules.js';

/** Body of `POST /external-user-groups`. */
export class CreateExternalUserGroupDto {
  @ApiProperty({ minLength: 3, maxLength: 250, description: 'Your reference; unique in the workspace' })
  @IsString()
  @Length(LIMITS.externalId.min, LIMITS.externalId.max)
  externalId: string;

  @ApiProperty({ minLength: 3, maxLength: 50 })
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The tier of members that have none of their own',
  })
  @IsOptional()
  @IsUUID('all')
  tierId?: string | null;
}

/** Body of `PATCH /external-user-groups/{id}`; `tierId: null` removes the tier. */
export class UpdateExternalUserGroupDto {
  @ApiPropertyOptional({
    minLength: 3,
    maxLength: 250,
    description: 'Your reference; unique in the workspace',
  })
  @IsOptional()
  @IsString()
  @Length(LIMITS.externalId.min, LIMITS.externalId.max)
  externalId?: string;

  @ApiPropertyOptional({ minLength: 3, maxLength: 50 })
  @IsOptional()
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The tier of members that have none of their own',
  })
  @IsOptional()
  @IsUUID('all')
  tierId?: string | null;
}

/** An external user group, as the routes answer it. */
export class ZaiaExternalUserGroup {
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({ minLength: 3, maxLength: 250 })
  externalId: string;

  @ApiProperty({ minLength: 3, maxLength: 50 })
  name: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  tierId: string | null;

  @ApiProperty({ format: 'uuid' })
  workspaceId: string;

  static from(group: ExternalUserGroupEntity): ZaiaExternalUserGroup {
    return {
      createdAt: new Date(group.createdAt).toISOString(),
      id: group.id,
      updatedAt: new Date(group.updatedAt).toISOString(),
      externalId: group.externalId,
      name: group.name,
      tierId: group.tierId,
      workspaceId: group.workspaceId,
    };
  }
}
