import { Body, Get, HttpCode, Param, Patch, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { EndUsersService } from './end-users.service.js';
import { AnonymizationService } from './anonymization.service.js';
import { CustomAttributesService } from './custom-attributes/custom-attributes.service.js';
import { AnonymizeQueryDto, PageQueryDto } from './dto/end-user.dto.js';
import {
  DixaAnonymizationRequest,
  DixaAnonymizationResponse,
  DixaConversation,
  DixaConversationListResponse,
  DixaCustomAttributeValuesResponse,
  DixaEndUserExport,
  DixaEndUserExportResponse,
} from './dto/end-user.response.js';
import { EndUserExportService } from './end-user-export.service.js';
import { pageLinks, type PageRequestLike } from './page-url.js';

/**
 * What belongs to one end user at `<paths.endUsers>/endusers/{userId}/…`: custom attribute values,
 * conversations, anonymization and the data export.
 */
@ApiTags('end users (Dixa)')
@ApiKeyAuth()
export class EndUserDataController {
  constructor(
    private readonly endUsers: EndUsersService,
    private readonly customAttributes: CustomAttributesService,
    private readonly anonymization: AnonymizationService,
    private readonly exports: EndUserExportService,
  ) {}

  @Patch('endusers/:userId/custom-attributes')
  @ApiOperation({ summary: "Sets an end user's custom attribute values (id → string | string[] | null)" })
  @ApiBody({
    schema: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      example: { '274e5a2c-be0d-42c0-b725-3dd533729f68': 'abcdef' },
    },
  })
  @ApiOkResponse({ type: DixaCustomAttributeValuesResponse })
  async patchCustomAttributes(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Body() values: Record<string, unknown>,
  ): Promise<DixaCustomAttributeValuesResponse> {
    return { data: await this.customAttributes.patchEndUserValues(caller, userId, values) };
  }

  @Patch('endusers/:userId/anonymize')
  @HttpCode(202)
  @ApiOperation({
    summary: "Erases the end user's personal data; refused while conversations are open unless force=true",
  })
  @ApiAcceptedResponse({ type: DixaAnonymizationResponse })
  async anonymize(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Query() query: AnonymizeQueryDto,
  ): Promise<DixaAnonymizationResponse> {
    const request = await this.anonymization.anonymize(caller, userId, { force: query.force ?? false });
    return { data: DixaAnonymizationRequest.from(request) };
  }

  @Get('endusers/:userId/conversations')
  @ApiOperation({ summary: 'Lists the conversations requested by an end user' })
  @ApiOkResponse({ type: DixaConversationListResponse })
  async conversationsOf(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
    @Query() query: PageQueryDto,
    @Req() request: PageRequestLike,
  ): Promise<DixaConversationListResponse> {
    const page = await this.endUsers.conversationsOf(caller, userId, query);
    return { data: page.items.map((c) => DixaConversation.from(c)), meta: pageLinks(request, page) };
  }

  @Get('endusers/:userId/export')
  @ApiOperation({ summary: 'Everything stored about an end user (data portability)' })
  @ApiOkResponse({ type: DixaEndUserExportResponse })
  async export(
    @CurrentCaller() caller: Caller,
    @Param('userId') userId: string,
  ): Promise<DixaEndUserExportResponse> {
    return { data: DixaEndUserExport.from(await this.exports.export(caller, userId)) };
  }
}
