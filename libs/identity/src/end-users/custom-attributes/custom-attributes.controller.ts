import { Body, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '../../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../../api-keys/api-key.decorators.js';
import type { Caller } from '../../audit/caller.js';
import {
  CreateCustomAttributeDto,
  DixaCustomAttribute,
  DixaCustomAttributeListResponse,
  DixaCustomAttributeResponse,
  ListCustomAttributesQueryDto,
  UpdateCustomAttributeDto,
} from '../dto/custom-attribute.dto.js';
import { CustomAttributesService } from './custom-attributes.service.js';

/**
 * Dixa's custom attribute definitions at `<paths.endUsers>/custom-attributes`: the seed's reads, plus
 * create, update and archive (DELETE) so a host can define them.
 */
@ApiTags('end users (Dixa)')
@ApiKeyAuth()
export class CustomAttributesController {
  constructor(private readonly customAttributes: CustomAttributesService) {}

  @Get('custom-attributes')
  @ApiOperation({ summary: 'Lists the custom attribute definitions (archived ones flagged)' })
  @ApiOkResponse({ type: DixaCustomAttributeListResponse })
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: ListCustomAttributesQueryDto,
  ): Promise<DixaCustomAttributeListResponse> {
    const attributes = await this.customAttributes.list(caller, query.entityType);
    return { data: attributes.map((a) => DixaCustomAttribute.from(a)) };
  }

  @Get('custom-attributes/:id')
  @ApiOperation({ summary: 'Gets a custom attribute definition' })
  @ApiOkResponse({ type: DixaCustomAttributeResponse })
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<DixaCustomAttributeResponse> {
    return { data: DixaCustomAttribute.from(await this.customAttributes.get(caller, id)) };
  }

  @Post('custom-attributes')
  @ApiOperation({ summary: 'Defines a custom attribute (Contact or Conversation; Text or Select)' })
  @ApiCreatedResponse({ type: DixaCustomAttributeResponse })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateCustomAttributeDto,
  ): Promise<DixaCustomAttributeResponse> {
    return { data: DixaCustomAttribute.from(await this.customAttributes.create(caller, body)) };
  }

  @Patch('custom-attributes/:id')
  @ApiOperation({ summary: 'Changes label, description, options or flags of a custom attribute' })
  @ApiOkResponse({ type: DixaCustomAttributeResponse })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: UpdateCustomAttributeDto,
  ): Promise<DixaCustomAttributeResponse> {
    return { data: DixaCustomAttribute.from(await this.customAttributes.update(caller, id, body)) };
  }

  @Delete('custom-attributes/:id')
  @ApiOperation({ summary: 'Archives a custom attribute: kept with its values, takes no new ones' })
  @ApiOkResponse({ type: DixaCustomAttributeResponse })
  async archive(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<DixaCustomAttributeResponse> {
    return { data: DixaCustomAttribute.from(await this.customAttributes.archive(caller, id)) };
  }
}
