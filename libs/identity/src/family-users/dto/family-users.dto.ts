import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import { Transform, type TransformFnParams, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { jsonFromString } from '../../common/http/transforms.js';
import type { JsonObject } from '../../common/persistence/persistence.js';
import { MAX_FAMILY_NUMBER } from '../family-numbers.js';
import { FAMILY_USER_ACTIONS, type FamilyUserAction } from '../family-user.view.js';

/** Regpack's clients send ids as numbers or numeric strings: `"12"` becomes 12, the rest is left for validation. */
function integerFromString({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && /^\s*-?\d{1,12}\s*$/.test(value) ? Number(value) : value;
}

/** Regpack's flags come as booleans, 0/1 or their strings. */
function flagFromValue({ value }: TransformFnParams): unknown {
  if (value === true || value === 1 || value === '1' || value === 'true') {
    return true;
  }
  if (value === false || value === 0 || value === '0' || value === 'false') {
    return false;
  }
  return value;
}

const ID_MESSAGE = (name: string, what: string) => ({
  message: `${name} must be a whole number from 1 to ${MAX_FAMILY_NUMBER} (${what})`,
});

/** Body of `POST <familyUsers>/users/`: Regpack's users endpoint. */
export class FamilyUsersRequestDto {
  @ApiProperty({ enum: FAMILY_USER_ACTIONS })
  @IsIn(FAMILY_USER_ACTIONS, { message: `action must be one of: ${FAMILY_USER_ACTIONS.join(', ')}` })
  action: FamilyUserAction;

  @ApiProperty({ example: 1, description: "The project's group_id" })
  @Transform(integerFromString)
  @IsInt(ID_MESSAGE('group_id', "the project's id; required"))
  @Min(1, ID_MESSAGE('group_id', "the project's id; required"))
  @Max(MAX_FAMILY_NUMBER, ID_MESSAGE('group_id', "the project's id; required"))
  group_id: number;

  @ApiPropertyOptional({ example: 1, description: 'The central login; required by every action but create' })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt(ID_MESSAGE('clogin_id', 'a central login'))
  @Min(1, ID_MESSAGE('clogin_id', 'a central login'))
  @Max(MAX_FAMILY_NUMBER, ID_MESSAGE('clogin_id', 'a central login'))
  clogin_id?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'User data (form fields), or the flags and lists an action reads',
  })
  @IsOptional()
  @Transform(jsonFromString)
  @IsObject()
  doc?: JsonObject;

  @ApiPropertyOptional({ description: "The parent's clogin_id (create_child)" })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt(ID_MESSAGE('connected_to', "the parent's clogin_id"))
  @Min(1, ID_MESSAGE('connected_to', "the parent's clogin_id"))
  @Max(MAX_FAMILY_NUMBER, ID_MESSAGE('connected_to', "the parent's clogin_id"))
  connected_to?: number;

  @ApiPropertyOptional({ default: true, description: 'false saves forms without submitting them' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  submit_forms?: boolean;

  @ApiPropertyOptional({ default: false, description: 'true sends (announces) no email' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  disable_email_sending?: boolean;

  @ApiPropertyOptional({ description: 'set_status: a status of the project, 0 clears (also read from doc)' })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt()
  @Min(0)
  @Max(MAX_FAMILY_NUMBER)
  status_id?: number;

  @ApiPropertyOptional({ description: 'get_user_list: include users whose status is excluded' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  with_excluded?: boolean;

  @ApiPropertyOptional({ description: 'get_user_list: only users whose status is excluded' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  only_excluded?: boolean;

  @ApiPropertyOptional({ description: 'get_user_list: only parents and individuals' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  only_parents?: boolean;

  @ApiPropertyOptional({ description: 'get_user_list: only children' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  only_children?: boolean;

  @ApiPropertyOptional({ description: 'get_user_list: parents, each with its children' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  return_families?: boolean;

  @ApiPropertyOptional({ description: 'get_user_list: offset of the first user (pages of 100)' })
  @IsOptional()
  @Transform(integerFromString)
  @IsInt()
  @Min(0)
  @Max(MAX_FAMILY_NUMBER)
  starting_position?: number;
}

/** `doc` of a project create. */
export class ProjectDocDto {
  @ApiProperty({ example: 'Summer camp 2025', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;
}

/** Body of `POST <familyUsers>/projects/`. */
export class ProjectsRequestDto {
  @ApiProperty({ enum: ['create'] })
  @IsIn(['create'], { message: 'action must be one of: create' })
  action: 'create';

  @ApiProperty({ type: ProjectDocDto })
  @IsDefined({ message: 'doc is required: { "name": "<project name>" }' })
  @IsObject()
  @ValidateNested()
  @Type(() => ProjectDocDto)
  doc: ProjectDocDto;
}

/** Fields of a status, in `doc` or beside it. */
export class StatusDocDto {
  @ApiPropertyOptional({ example: 'Waitlisted', maxLength: 100 })
  @IsOptional()
  @IsString()
  status_name?: string;

  @ApiPropertyOptional({ example: '#ff9900' })
  @IsOptional()
  @IsString()
  color?: string;

  @ApiPropertyOptional({ default: false, description: 'Leave users with this status out of user lists' })
  @IsOptional()
  @Transform(flagFromValue)
  @IsBoolean()
  is_excluded?: boolean;
}

/** Body of `POST <familyUsers>/statuses/`. */
export class StatusesRequestDto extends StatusDocDto {
  @ApiProperty({ enum: ['create'] })
  @IsIn(['create'], { message: 'action must be one of: create' })
  action: 'create';

  @ApiProperty({ example: 1, description: "The project's group_id" })
  @Transform(integerFromString)
  @IsInt(ID_MESSAGE('group_id', "the project's id; required"))
  @Min(1, ID_MESSAGE('group_id', "the project's id; required"))
  @Max(MAX_FAMILY_NUMBER, ID_MESSAGE('group_id', "the project's id; required"))
  group_id: number;

  @ApiPropertyOptional({ type: StatusDocDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => StatusDocDto)
  doc?: StatusDocDto;
}

/** Body of `POST <familyUsers>/session`. */
export class FamilySessionRequestDto {
  @ApiProperty({ description: 'The user_token a login answered (fut_…)' })
  @IsString()
  @IsNotEmpty()
  user_token: string;
}
