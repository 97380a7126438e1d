import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { ChannelsService } from './channels.service.js';
import { CreateChannelDto, UpdateChannelDto, ZaiaChannel } from './dto/channel.dto.js';
import { IdParamDto, PageQueryDto } from './dto/common.dto.js';

/** Channels at `<paths.externalUsers>/channels` (default `/api/v1/channels`): Zaia assumes they exist. */
@ApiTags('channels (Zaia)')
@ApiKeyAuth()
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get('channels')
  @ApiOperation({ summary: 'Retrieves the channels of the workspace, oldest first' })
  @ApiOkResponse({ type: [ZaiaChannel] })
  async list(@CurrentCaller() caller: Caller, @Query() page: PageQueryDto): Promise<ZaiaChannel[]> {
    return (await this.channels.list(caller, page)).map((channel) => ZaiaChannel.from(channel));
  }

  @Post('channels')
  @HttpCode(200)
  @ApiOperation({ summary: 'Creates a channel' })
  @ApiOkResponse({ type: ZaiaChannel })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateChannelDto): Promise<ZaiaChannel> {
    return ZaiaChannel.from(await this.channels.create(caller, body));
  }

  @Get('channels/:id')
  @ApiOperation({ summary: 'Retrieves a channel' })
  @ApiOkResponse({ type: ZaiaChannel })
  async get(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaChannel> {
    return ZaiaChannel.from(await this.channels.get(caller, id));
  }

  @Patch('channels/:id')
  @ApiOperation({ summary: 'Renames a channel' })
  @ApiOkResponse({ type: ZaiaChannel })
  async update(
    @CurrentCaller() caller: Caller,
    @Param() { id }: IdParamDto,
    @Body() body: UpdateChannelDto,
  ): Promise<ZaiaChannel> {
    return ZaiaChannel.from(await this.channels.update(caller, id, body));
  }

  @Delete('channels/:id')
  @ApiOperation({ summary: 'Deletes a channel without external users (409 otherwise)' })
  @ApiOkResponse({ type: ZaiaChannel, description: 'The deleted channel' })
  async delete(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaChannel> {
    return ZaiaChannel.from(await this.channels.delete(caller, id));
  }
}
