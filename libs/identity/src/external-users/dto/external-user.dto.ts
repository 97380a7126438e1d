import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { OptionalNotNull } from '../../common/http/transforms.js';
import { LIMITS } from '../external-users.rules.js';
import { listFromString, PageQueryDto } from './common.dto.js';

const UUID_DOC = 'A UUID string that identifies an entity.';
const EXTERNAL_ID_DOC = 'External reference in the integrated system.';
const IDENTIFIER_DOC = 'A unique identifier of the external user (usernames, emails, phone numbers and etc).';

/** Body of `POST /external-users/authenticate`. */
export class AuthenticateExternalUserDto {
  @ApiProperty({ format: 'uuid', description: UUID_DOC })
  @IsUUID('all')
  channelId: string;

  @ApiProperty({ type: String, nullable: true, minLength: 3, maxLength: 250, description: EXTERNAL_ID_DOC })
  @IsOptional()
  @IsString()
  @Length(LIMITS.externalId.min, LIMITS.externalId.max)
  externalId?: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: UUID_DOC })
  @IsOptional()
  @IsUUID('all')
  id?: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 250, description: IDENTIFIER_DOC })
  @IsOptional()
  @IsString()
  @Length(LIMITS.identifier.min, LIMITS.identifier.max)
  identifier?: string | null;
}

/** The nullable fields of an external user that creation and `PATCH` share (absent reads as null). */
export class ExternalUserFieldsDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 3,
    maxLength: 250,
    description: EXTERNAL_ID_DOC,
  })
  @IsOptional()
  @IsString()
  @Length(LIMITS.externalId.min, LIMITS.externalId.max)
  externalId?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ID of the external user group associated with the external user.',
  })
  @IsOptional()
  @IsUUID('all')
  externalUserGroupId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 250, description: IDENTIFIER_DOC })
  @IsOptional()
  @IsString()
  @Length(LIMITS.identifier.min, LIMITS.identifier.max)
  identifier?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    minLength: 3,
    maxLength: 50,
    description: 'The display name of the external user.',
  })
  @IsOptional()
  @IsString()
  @Length(LIMITS.name.min, LIMITS.name.max)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The ID of the tier associated with the external user.',
  })
  @IsOptional()
  @IsUUID('all')
  tierId?: string | null;
}

/** The fields `PATCH /external-users/{id}` may change (all optional; null clears). */
export class UpdateExternalUserDto extends ExternalUserFieldsDto {
  @ApiPropertyOptional({ description: 'Whether the external user is blocked.' })
  @OptionalNotNull()
  @IsBoolean()
  blocked?: boolean;
}

/** Body of `POST /external-users`: the channel plus Zaia's nullable fields (absent reads as null); users start unblocked. */
export class CreateExternalUserDto extends ExternalUserFieldsDto {
  @ApiProperty({ format: 'uuid', description: 'The ID of the channel associated with the external user.' })
  @IsUUID('all')
  channelId: string;
}

/** Query of `GET /external-users`: Zaia's filters (one uuid or a list) and page. */
export class ListExternalUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: [String], format: 'uuid', default: [], description: 'One uuid or several' })
  @IsOptional()
  @Transform(listFromString)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  channelIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', default: [], description: 'One uuid or several' })
  @IsOptional()
  @Transform(listFromString)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  externalUserGroupIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', default: [], description: 'One uuid or several' })
  @IsOptional()
  @Transform(listFromString)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  superIdentityIds?: string[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', default: [], description: 'One uuid or several' })
  @IsOptional()
  @Transform(listFromString)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  tierIds?: string[];

  @ApiPropertyOptional({
    maxLength: 250,
    description: 'Matches name, identifier or externalId (case-insensitive)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.search.max)
  search?: string;
}
