import { Body, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import {
  BulkCreateEndUsersDto,
  BulkUpdateEndUsersDto,
  EndUserBodyDto,
  ListEndUsersQueryDto,
} from './dto/end-user.dto.js';
import {
  DixaBulkActionFailure,
  DixaBulkActionSuccess,
  DixaBulkResponse,
  DixaEndUser,
  DixaEndUserListItem,
  DixaEndUserListResponse,
  DixaEndUserResponse,
  DixaError,
} from './dto/end-user.response.js';
import type { EndUserUpdateInput } from './end-users-bulk.service.js';
import { EndUsersBulkService } from './end-users-bulk.service.js';
import { EndUsersService } from './end-users.service.js';
import { pageLinks, type PageRequestLike } from './page-url.js';

/**
 * Dixa's End Users API at `<paths.endUsers>/endusers` (default `/beta/endusers`): list, single and bulk
 * create, read, replace and patch. Bulk calls answer 200 with one outcome per item, in order.
 */
@ApiTags('end users (Dixa)')
@ApiExtraModels(DixaError, DixaBulkActionSuccess, DixaBulkActionFailure)
@ApiKeyAuth()
export class EndUsersController {
  constructor(
    private readonly endUsers: EndUsersService,
    private readonly bulk: EndUsersBulkService,
  ) {}

  @Get('endusers')
  @ApiOperation({ summary: 'Lists end users; filter by email or phone (not both) and externalId' })
  @ApiOkResponse({ type: DixaEndUserListResponse })
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: ListEndUsersQueryDto,
    @Req() request: PageRequestLike,
  ): Promise<DixaEndUserListResponse> {
    const page = await this.endUsers.list(caller, query);
    return { data: page.items.map((r) => DixaEndUserListItem.from(r)), meta: pageLinks(request, page) };
  }

  @Post('endusers')
  @ApiOperation({ summary: 'Creates an end user' })
  @ApiCreatedResponse({ type: DixaEndUserResponse })
  async create(@CurrentCaller() caller: Caller, @Body() body: EndUserBodyDto): Promise<DixaEndUserResponse> {
    return { data: DixaEndUser.fromView(await this.endUsers.create(caller, body)) };
  }

  @Post('endusers/bulk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Creates up to 1,000 end users; one outcome per item, in order' })
  @ApiOkResponse({ type: DixaBulkResponse })
  async createMany(
    @CurrentCaller() caller: Caller,
    @Body() body: BulkCreateEndUsersDto,
  ): Promise<DixaBulkResponse> {
    return DixaBulkResponse.from(await this.bulk.createMany(caller, body.data));
  }

  @Put('endusers')
  @ApiOperation({ summary: 'Replaces up to 1,000 end users by id; one outcome per item, in order' })
  @ApiOkResponse({ type: DixaBulkResponse })
  async replaceMany(
    @CurrentCaller() caller: Caller,
    @Body() body: BulkUpdateEndUsersDto,
  ): Promise<DixaBulkResponse> {
    return DixaBulkResponse.from(await this.bulk.replaceMany(caller, body.data as EndUserUpdateInput[]));
  }

  @Patch('endusers')
  @ApiOperation({ summary: 'Patches up to 1,000 end users by id; one outcome per item, in order' })
  @ApiOkResponse({ type: DixaBulkResponse })
  async patchMany(
    @CurrentCaller() caller: Caller,
    @Body() body: BulkUpdateEndUsersDto,
  ): Promise<DixaBulkResponse> {
    return DixaBulkResponse.from(await this.bulk.patchMany(caller, body.data as EndUserUpdateInput[]));
  }

  @Get('endusers/:userId')
  @ApiOperation({ summary: 'Gets an end user with its custom attributes' })
  @ApiOkResponse({ type: DixaEndUserResponse })
  async get(@CurrentCaller() caller: Caller, @Param('userId') userId: string): Promise<DixaEndUserResponse> {
    return { data: DixaEndUser.fromView(await this.endUsers.get(caller, userId)) };
  }

  @Put('endusers/:userId')
  @ApiOperation({ summary: 'Replaces an end user; fields left out are cleared' })
  @ApiOkResponse({ type: DixaEndUserResponse })
  async replace(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Body() body: EndUserBodyDto,
  ): Promise<DixaEndUserResponse> {
    return { data: DixaEndUser.fromView(await this.endUsers.replace(caller, userId, body)) };
  }

  @Patch('endusers/:userId')
  @ApiOperation({ summary: 'Patches an end user; only the fields given change' })
  @ApiOkResponse({ type: DixaEndUserResponse })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Body() body: EndUserBodyDto,
  ): Promise<DixaEndUserResponse> {
    return { data: DixaEndUser.fromView(await this.endUsers.update(caller, userId, body)) };
  }
}
