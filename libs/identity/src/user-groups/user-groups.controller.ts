import { Body, Delete, Get, Header, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { BodyOrQuery } from '../common/http/body-or-query.decorator.js';
import { CurrentTokenDto, GetOrCreateUserGroupDto, UpdateUserGroupDto } from './dto/user-group.dto.js';
import {
  ExploError,
  ExploGetOrCreateResponse,
  ExploSuccess,
  ExploUserGroup,
  ExploUserGroupResponse,
} from './dto/user-group.response.js';
import { UserGroupsService } from './user-groups.service.js';

/**
 * The Explo End User Group API at `<paths.userGroups>/user` (default `/api/user`). Explo documents
 * get-or-create (a GET) and delete with their fields in the body; many HTTP clients cannot send a body
 * with those methods, so the query is read too (body fields win).
 */
@ApiTags('user groups (Explo)')
@ApiExtraModels(ExploError)
@ApiKeyAuth()
export class UserGroupsController {
  constructor(private readonly userGroups: UserGroupsService) {}

  @Get('user')
  @Header('Cache-Control', 'no-store') // the answer carries an embed token
  @ApiOperation({ summary: 'Gets a user group with its current token, creating it on first use' })
  @ApiBody({
    type: GetOrCreateUserGroupDto,
    description: 'As Explo documents it; or the same fields as query parameters',
  })
  @ApiOkResponse({ type: ExploGetOrCreateResponse })
  async getOrCreate(
    @CurrentCaller() caller: Caller,
    @BodyOrQuery() input: GetOrCreateUserGroupDto,
  ): Promise<ExploGetOrCreateResponse> {
    const { userGroup, created } = await this.userGroups.getOrCreate(caller, {
      providedId: input.user_group_id,
      name: input.name,
      apiEnvironmentTag: input.api_environment_tag,
      properties: input.properties,
      mapping: input.mapping,
      isDemoGroup: input.is_demo_group,
    });
    return { success: 1, new_user_group: created, user_group: ExploUserGroup.from(userGroup) };
  }

  @Post('user')
  @Header('Cache-Control', 'no-store') // the answer carries an embed token
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotates the user group token; the old one stops working (after the grace window)',
  })
  @ApiOkResponse({ type: ExploUserGroupResponse })
  async rotate(
    @CurrentCaller() caller: Caller,
    @Body() body: CurrentTokenDto,
  ): Promise<ExploUserGroupResponse> {
    const userGroup = await this.userGroups.rotateToken(caller, body.current_token);
    return { success: 1, user_group: ExploUserGroup.from(userGroup) };
  }

  @Patch('user')
  @Header('Cache-Control', 'no-store') // the answer carries an embed token
  @ApiOperation({ summary: "Updates the user group's name, properties or mapping" })
  @ApiOkResponse({ type: ExploUserGroupResponse })
  async update(
    @CurrentCaller() caller: Caller,
    @Body() body: UpdateUserGroupDto,
  ): Promise<ExploUserGroupResponse> {
    const { current_token, ...changes } = body;
    const userGroup = await this.userGroups.update(caller, current_token, changes);
    return { success: 1, user_group: ExploUserGroup.from(userGroup) };
  }

  @Delete('user')
  @ApiOperation({ summary: 'Deletes the user group; its tokens die with it' })
  @ApiBody({
    type: CurrentTokenDto,
    description: 'As Explo documents it; or current_token as a query parameter',
  })
  @ApiOkResponse({ type: ExploSuccess })
  async delete(@CurrentCaller() caller: Caller, @BodyOrQuery() body: CurrentTokenDto): Promise<ExploSuccess> {
    await this.userGroups.delete(caller, body.current_token);
    return { success: 1 };
  }
}
