import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { booleanFromString } from '../../common/http/transforms.js';
import { END_USERS_PAGE_LIMIT } from '../end-users.service.js';

/** The most items one bulk call takes. */
export const MAX_BULK_ITEMS = 1000;

/**
 * Body of `POST /endusers`, `PUT|PATCH /endusers/{userId}`, and each item of the bulk calls. The
 * fields are only collected here: their rules (email, E.164 phone, URL, lengths) live in one place,
 * `checkEndUserFields`, which single calls, bulk items and host code share. Unknown fields, `id` and
 * `createdAt` of a create body are ignored, as Dixa does.
 */
export class EndUserBodyDto {
  @ApiPropertyOptional({ example: 'Alice Brown', maxLength: 255, nullable: true })
  @Allow()
  displayName?: string | null;

  @ApiPropertyOptional({
    example: 'alice@brown.com',
    description: 'Stored trimmed and lower-cased',
    nullable: true,
  })
  @Allow()
  email?: string | null;

  @ApiPropertyOptional({
    example: '+551155256325',
    description: 'International format; stored in E.164',
    nullable: true,
  })
  @Allow()
  phoneNumber?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['alice@secondary.email'], maxItems: 50 })
  @Allow()
  additionalEmails?: string[] | null;

  @ApiPropertyOptional({ type: [String], example: ['+5566778899'], maxItems: 50 })
  @Allow()
  additionalPhoneNumbers?: string[] | null;

  @ApiPropertyOptional({ example: 'Alice', maxLength: 255, nullable: true })
  @Allow()
  firstName?: string | null;

  @ApiPropertyOptional({ example: 'Brown', maxLength: 255, nullable: true })
  @Allow()
  lastName?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['J.'], maxItems: 50 })
  @Allow()
  middleNames?: string[] | null;

  @ApiPropertyOptional({ example: 'http://avatar.url', description: 'An http or https URL', nullable: true })
  @Allow()
  avatarUrl?: string | null;

  @ApiPropertyOptional({ example: '#12345678', description: 'Unique per workspace', nullable: true })
  @Allow()
  externalId?: string | null;
}

/** An item of `PUT /endusers` and `PATCH /endusers`: the end user's id and its fields. */
export class EndUserUpdateItemDto extends EndUserBodyDto {
  @ApiProperty({ format: 'uuid', example: 'd4826125-559f-496f-ad71-a0340f0cae06' })
  id: string;
}

/** `{ data: [...] }` of `POST /endusers/bulk`: items are checked one by one, each with its own outcome. */
export class BulkCreateEndUsersDto {
  @ApiProperty({ type: [EndUserBodyDto], maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMaxSize(MAX_BULK_ITEMS)
  data: Record<string, unknown>[];
}

/** `{ data: [...] }` of `PUT /endusers` and `PATCH /endusers`. */
export class BulkUpdateEndUsersDto {
  @ApiProperty({ type: [EndUserUpdateItemDto], maxItems: MAX_BULK_ITEMS })
  @IsArray()
  @ArrayMaxSize(MAX_BULK_ITEMS)
  data: Record<string, unknown>[];
}

/** `pageLimit` and `pageKey` of a paged list. */
export class PageQueryDto {
  @ApiPropertyOptional({
    description: 'Maximum number of results per page; may change between page requests',
    minimum: 1,
    maximum: END_USERS_PAGE_LIMIT.max,
    default: END_USERS_PAGE_LIMIT.default,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(END_USERS_PAGE_LIMIT.max)
  pageLimit?: number;

  @ApiPropertyOptional({
    description: 'Opaque key of a page, from meta.next or meta.previous; do not build or change it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  pageKey?: string;
}

/** Query of `GET /endusers`: `email` and `phone` exclude each other. */
export class ListEndUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "Filter by the contact's email" })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional({ description: "Filter by the contact's phone number" })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ description: "Filter by the contact's external id" })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  externalId?: string;
}

/** Query of `PATCH /endusers/{userId}/anonymize`. */
export class AnonymizeQueryDto {
  @ApiPropertyOptional({
    description: 'Close the open conversations of the end user first instead of refusing',
    default: false,
  })
  @IsOptional()
  @Transform(booleanFromString)
  @IsBoolean()
  force?: boolean;
}
