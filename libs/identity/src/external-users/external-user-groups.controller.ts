import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { IdParamDto, PageQueryDto } from './dto/common.dto.js';
import {
  CreateExternalUserGroupDto,
  UpdateExternalUserGroupDto,
  ZaiaExternalUserGroup,
} from './dto/external-user-group.dto.js';
import { ExternalUserGroupsService } from './external-user-groups.service.js';

/** External user groups at `<paths.externalUsers>/external-user-groups` (default `/api/v1`). */
@ApiTags('external user groups (Zaia)')
@ApiKeyAuth()
export class ExternalUserGroupsController {
  constructor(private readonly groups: ExternalUserGroupsService) {}

  @Get('external-user-groups')
  @ApiOperation({ summary: 'Retrieves the external user groups of the workspace, oldest first' })
  @ApiOkResponse({ type: [ZaiaExternalUserGroup] })
  async list(@CurrentCaller() caller: Caller, @Query() page: PageQueryDto): Promise<ZaiaExternalUserGroup[]> {
    return (await this.groups.list(caller, page)).map((group) => ZaiaExternalUserGroup.from(group));
  }

  @Post('external-user-groups')
  @HttpCode(200)
  @ApiOperation({ summary: 'Creates an external user group (409 when its external id is taken)' })
  @ApiOkResponse({ type: ZaiaExternalUserGroup })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateExternalUserGroupDto,
  ): Promise<ZaiaExternalUserGroup> {
    return ZaiaExternalUserGroup.from(await this.groups.create(caller, body));
  }

  @Get('external-user-groups/:id')
  @ApiOperation({ summary: 'Retrieves an external user group' })
  @ApiOkResponse({ type: ZaiaExternalUserGroup })
  async get(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaExternalUserGroup> {
    return ZaiaExternalUserGroup.from(await this.groups.get(caller, id));
  }

  @Patch('external-user-groups/:id')
  @ApiOperation({ summary: "Updates an external user group; members' tokens see a new tier at once" })
  @ApiOkResponse({ type: ZaiaExternalUserGroup })
  async update(
    @CurrentCaller() caller: Caller,
    @Param() { id }: IdParamDto,
    @Body() body: UpdateExternalUserGroupDto,
  ): Promise<ZaiaExternalUserGroup> {
    return ZaiaExternalUserGroup.from(await this.groups.update(caller, id, body));
  }

  @Delete('external-user-groups/:id')
  @ApiOperation({ summary: 'Deletes an external user group; its members stay, without it' })
  @ApiOkResponse({ type: ZaiaExternalUserGroup, description: 'The deleted group' })
  async delete(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaExternalUserGroup> {
    return ZaiaExternalUserGroup.from(await this.groups.delete(caller, id));
  }
}
