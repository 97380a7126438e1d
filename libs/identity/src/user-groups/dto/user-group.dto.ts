import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  ValidateIf,
} from 'class-validator';
import { booleanFromString, jsonFromString } from '../../common/http/transforms.js';
import type { JsonObject } from '../../common/persistence/persistence.js';
import { API_ENVIRONMENT_TAGS, type ApiEnvironmentTag } from '../user-group.entity.js';

/** Query or body of `GET /api/user` (Explo get-or-create); JSON and booleans may come as query strings. */
export class GetOrCreateUserGroupDto {
  @ApiProperty({ example: 'Example 1', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    example: 'example_1',
    maxLength: 200,
    description: 'Your id for the group; unique per environment',
  })
  @IsString()
  @Length(1, 200)
  user_group_id: string;

  @ApiPropertyOptional({ enum: API_ENVIRONMENT_TAGS, default: 'Customer' })
  @IsOptional()
  @IsIn(API_ENVIRONMENT_TAGS)
  api_environment_tag?: ApiEnvironmentTag;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @Transform(jsonFromString)
  @IsObject()
  properties?: JsonObject;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @Transform(jsonFromString)
  @IsObject()
  mapping?: JsonObject;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(booleanFromString)
  @IsBoolean()
  is_demo_group?: boolean;
}

/** Body of `POST /api/user` (rotate) and `DELETE /api/user`. */
export class CurrentTokenDto {
  @ApiProperty({ description: 'The current user group token' })
  @IsString()
  @IsNotEmpty()
  current_token: string;
}

/** Body of `PATCH /api/user`. */
export class UpdateUserGroupDto extends CurrentTokenDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsObject()
  properties?: JsonObject | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @ValidateIf((_o, value) => value !== null)
  @IsObject()
  mapping?: JsonObject | null;
}
