import {
  Body,
  createParamDecorator,
  Delete,
  type ExecutionContext,
  Get,
  HttpCode,
  Patch,
  Post,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { ApiKeyPrincipal } from '../api-keys/api-keys.service.js';
import {
  ApiKeyAuth,
  CurrentActor,
  CurrentPrincipal,
  CurrentWorkspace,
} from '../api-keys/api-key.decorators.js';
import type { AuditActor } from '../audit/audit.service.js';
import { identityValidationPipe } from '../common/http/validation.pipe.js';
import { CurrentTokenDto, GetOrCreateUserGroupDto, UpdateUserGroupDto } from './dto/user-group.dto.js';
import { UserGroupsExceptionFilter } from './user-groups.exception-filter.js';
import { UserGroupsService, type UserGroupView } from './user-groups.service.js';

/** Explo's `user_group` object. `team_id` is the workspace id. */
function toExplo(group: UserGroupView) {
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

/**
 * Explo documents get-or-create (a GET) and delete with their fields in the body; many HTTP clients
 * cannot send a body with those methods, so query parameters are read too. Body fields win; JSON
 * objects in the query (`properties`, `mapping`) are parsed.
 */
const BodyOrQuery = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Record<string, unknown> => {
    const request = context.switchToHttp().getRequest<Request>();
    const query: Record<string, unknown> = { ...(request.query as Record<string, unknown>) };
    for (const field of ['is_demo_group']) {
      if (query[field] === 'true' || query[field] === 'false') {
        query[field] = query[field] === 'true';
      }
    }
    for (const field of ['properties', 'mapping']) {
      const value = query[field];
      if (typeof value === 'string') {
        try {
          query[field] = JSON.parse(value);
        } catch {
          // Left as a string: validation then names the field.
        }
      }
    }
    const body =
      typeof request.body === 'object' && request.body !== null
        ? (request.body as Record<string, unknown>)
        : {};
    return { ...query, ...body };
  },
);

/** The Explo End User Group API at `<paths.userGroups>/user` (default `/api/user`). */
@ApiTags('user groups (Explo)')
@ApiKeyAuth()
@UseFilters(UserGroupsExceptionFilter)
@UsePipes(identityValidationPipe())
export class UserGroupsController {
  constructor(private readonly userGroups: UserGroupsService) {}

  @Get('user')
  @ApiOperation({ summary: 'Gets a user group with its current token, creating it on first use' })
  async getOrCreate(
    @CurrentPrincipal() principal: ApiKeyPrincipal,
    @CurrentActor() actor: AuditActor,
    @BodyOrQuery() input: GetOrCreateUserGroupDto,
  ) {
    const { userGroup, created } = await this.userGroups.getOrCreate(
      principal.workspaceId,
      {
        providedId: input.user_group_id,
        name: input.name,
        apiEnvironmentTag: input.api_environment_tag,
        properties: input.properties,
        mapping: input.mapping,
        isDemoGroup: input.is_demo_group,
      },
      actor,
      { mayWrite: principal.scope === 'write' },
    );
    return { success: 1, new_user_group: created, user_group: toExplo(userGroup) };
  }

  @Post('user')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotates the user group token; the old one stops working (after the grace window)',
  })
  async rotate(
    @CurrentWorkspace() workspaceId: string,
    @CurrentActor() actor: AuditActor,
    @Body() body: CurrentTokenDto,
  ) {
    const userGroup = await this.userGroups.rotateToken(workspaceId, body.current_token, actor);
    return { success: 1, user_group: toExplo(userGroup) };
  }

  @Patch('user')
  @ApiOperation({ summary: "Updates the user group's name, properties or mapping" })
  async update(
    @CurrentWorkspace() workspaceId: string,
    @CurrentActor() actor: AuditActor,
    @Body() body: UpdateUserGroupDto,
  ) {
    const { current_token, ...changes } = body;
    const userGroup = await this.userGroups.update(workspaceId, current_token, changes, actor);
    return { success: 1, user_group: toExplo(userGroup) };
  }

  @Delete('user')
  @ApiOperation({ summary: 'Deletes the user group; its tokens die with it' })
  async delete(
    @CurrentWorkspace() workspaceId: string,
    @CurrentActor() actor: AuditActor,
    @BodyOrQuery() body: CurrentTokenDto,
  ) {
    await this.userGroups.delete(workspaceId, body.current_token, actor);
    return { success: 1 };
  }
}
