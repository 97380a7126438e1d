import { ApiProperty, ApiPropertyOptional } from '../../common/peers/swagger.js';
import type { JsonObject } from '../../common/persistence/persistence.js';
import { API_ENVIRONMENT_TAGS, type ApiEnvironmentTag } from '../user-group.entity.js';
import type { UserGroupView } from '../user-groups.service.js';

/** Explo's `user_group` object. */
export class ExploUserGroup {
  @ApiProperty({ description: 'The workspace id (Explo sends a number; here it is a uuid)', format: 'uuid' })
  team_id: string;

  @ApiProperty({
    description: 'The current embed token (ugt_…); give it to the dashboard that renders for this group',
  })
  token: string;

  @ApiProperty({ example: 'Example 1' })
  name: string;

  @ApiProperty({ example: 'example_1', description: 'The user_group_id given when the group was created' })
  provided_id: string;

  @ApiProperty({ enum: API_ENVIRONMENT_TAGS })
  api_environment_tag: ApiEnvironmentTag;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  properties: JsonObject | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  mapping: JsonObject | null;

  static from(group: UserGroupView): ExploUserGroup {
    return {
      team_id: group.workspaceId,
      token: group.token,
      name: group.name,
      provided_id: group.providedId,
      api_environment_tag: group.apiEnvironmentTag,
      properties: group.properties,
      mapping: group.mapping,
    };
  }
}

/** `{ success: 1 }`: Explo's answer to a delete. */
export class ExploSuccess {
  @ApiProperty({ enum: [1], description: '1 when the call succeeded' })
  success: 1;
}

/** `{ success: 1, user_group }`: Explo's answer to rotate and update. */
export class ExploUserGroupResponse extends ExploSuccess {
  @ApiProperty({ type: ExploUserGroup })
  user_group: ExploUserGroup;
}

/** `{ success: 1, new_user_group, user_group }`: Explo's answer to get-or-create. */
export class ExploGetOrCreateResponse extends ExploUserGroupResponse {
  @ApiProperty({ description: 'True when this call created the group' })
  new_user_group: boolean;
}

/** `{ success: 0, error }`: Explo's error body, with the HTTP status of the error. */
export class ExploError {
  @ApiProperty({ enum: [0] })
  success: 0;

  @ApiProperty({ example: 'User group token not found.' })
  error: string;
}
