import { Body, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import type { Caller } from '../audit/caller.js';
import { ApiKeyAuth, CurrentCaller, CurrentWorkspace } from './api-key.decorators.js';
import { ApiKeysService } from './api-keys.service.js';
import {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreatedApiKeyResponse,
  ManagementError,
} from './dto/api-key.response.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

/** `<paths.management>/api-keys`: a workspace's API keys. Errors are `{ message }`. */
@ApiTags('identity management')
@ApiExtraModels(ManagementError)
@ApiKeyAuth()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get('api-keys')
  @ApiOperation({ summary: "Lists the workspace's API keys (never their secrets)" })
  @ApiOkResponse({ type: ApiKeyListResponse })
  async list(@CurrentWorkspace() workspaceId: string): Promise<ApiKeyListResponse> {
    return { data: await this.apiKeys.list(workspaceId) };
  }

  @Post('api-keys')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Creates an API key; the secret is in this response only' })
  @ApiOkResponse({ type: CreatedApiKeyResponse })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyResponse> {
    const { apiKey, secret } = await this.apiKeys.create(caller, body);
    return { data: { ...apiKey, secret } };
  }

  @Get('api-keys/:id')
  @ApiOperation({ summary: 'One API key of the workspace' })
  @ApiOkResponse({ type: ApiKeyResponse })
  async get(@CurrentWorkspace() workspaceId: string, @Param('id') id: string): Promise<ApiKeyResponse> {
    return { data: await this.apiKeys.get(workspaceId, id) };
  }

  @Delete('api-keys/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revokes an API key at once, on every instance' })
  @ApiOkResponse({ type: ApiKeyResponse })
  async revoke(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<ApiKeyResponse> {
    return { data: await this.apiKeys.revoke(caller, id) };
  }
}
