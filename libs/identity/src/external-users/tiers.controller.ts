import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { IdParamDto, PageQueryDto } from './dto/common.dto.js';
import { CreateTierDto, UpdateTierDto, ZaiaTier } from './dto/tier.dto.js';
import { TiersService } from './tiers.service.js';

/** Tiers at `<paths.externalUsers>/tiers` (default `/api/v1/tiers`). */
@ApiTags('tiers (Zaia)')
@ApiKeyAuth()
export class TiersController {
  constructor(private readonly tiers: TiersService) {}

  @Get('tiers')
  @ApiOperation({ summary: 'Retrieves the tiers of the workspace, oldest first' })
  @ApiOkResponse({ type: [ZaiaTier] })
  async list(@CurrentCaller() caller: Caller, @Query() page: PageQueryDto): Promise<ZaiaTier[]> {
    return (await this.tiers.list(caller, page)).map((tier) => ZaiaTier.from(tier));
  }

  @Post('tiers')
  @HttpCode(200)
  @ApiOperation({ summary: 'Creates a tier' })
  @ApiOkResponse({ type: ZaiaTier })
  async create(@CurrentCaller() caller: Caller, @Body() body: CreateTierDto): Promise<ZaiaTier> {
    return ZaiaTier.from(await this.tiers.create(caller, body));
  }

  @Get('tiers/:id')
  @ApiOperation({ summary: 'Retrieves a tier' })
  @ApiOkResponse({ type: ZaiaTier })
  async get(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaTier> {
    return ZaiaTier.from(await this.tiers.get(caller, id));
  }

  @Patch('tiers/:id')
  @ApiOperation({ summary: "Updates a tier; its users' tokens see the change on their next request" })
  @ApiOkResponse({ type: ZaiaTier })
  async update(
    @CurrentCaller() caller: Caller,
    @Param() { id }: IdParamDto,
    @Body() body: UpdateTierDto,
  ): Promise<ZaiaTier> {
    return ZaiaTier.from(await this.tiers.update(caller, id, body));
  }

  @Delete('tiers/:id')
  @ApiOperation({ summary: 'Deletes a tier; its users and groups are left without one' })
  @ApiOkResponse({ type: ZaiaTier, description: 'The deleted tier' })
  async delete(@CurrentCaller() caller: Caller, @Param() { id }: IdParamDto): Promise<ZaiaTier> {
    return ZaiaTier.from(await this.tiers.delete(caller, id));
  }
}
