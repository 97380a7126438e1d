import { Body, Delete, Get, HttpCode, Param, Post, Query, UseFilters, UsePipes } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, CurrentActor, CurrentWorkspace } from './api-key.decorators.js';
import { type AuditActor, AuditService } from '../audit/audit.service.js';
import { MessageExceptionFilter } from '../common/http/surface-exception.filter.js';
import { identityValidationPipe } from '../common/http/validation.pipe.js';
import { ApiKeysService, type ApiKeyView } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

/** The module's own management routes: a workspace's API keys and its audit log. Errors are `{ message }`. */
@ApiTags('identity management')
@ApiKeyAuth()
@UseFilters(MessageExceptionFilter)
@UsePipes(identityValidationPipe())
export class ApiKeysController {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get('api-keys')
  @ApiOperation({ summary: "Lists the workspace's API keys (never their secrets)" })
  async list(@CurrentWorkspace() workspaceId: string): Promise<{ data: ApiKeyView[] }> {
    return { data: await this.apiKeys.list(workspaceId) };
  }

  @Post('api-keys')
  @ApiOperation({ summary: 'Creates an API key; the secret is in this response only' })
  async create(
    @CurrentWorkspace() workspaceId: string,
    @CurrentActor() actor: AuditActor,
    @Body() body: CreateApiKeyDto,
  ): Promise<{ data: ApiKeyView & { secret: string } }> {
    const { apiKey, secret } = await this.apiKeys.create(workspaceId, body, actor);
    return { data: { ...apiKey, secret } };
  }

  @Get('api-keys/:id')
  @ApiOperation({ summary: 'One API key of the workspace' })
  async get(@CurrentWorkspace() workspaceId: string, @Param('id') id: string): Promise<{ data: ApiKeyView }> {
    return { data: await this.apiKeys.get(workspaceId, id) };
  }

  @Delete('api-keys/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revokes an API key at once, on every instance' })
  async revoke(
    @CurrentWorkspace() workspaceId: string,
    @CurrentActor() actor: AuditActor,
    @Param('id') id: string,
  ): Promise<{ data: ApiKeyView }> {
    return { data: await this.apiKeys.revoke(workspaceId, id, actor) };
  }

  @Get('audit-log')
  @ApiOperation({ summary: "The workspace's newest audit entries (ids only, no secrets, no PII)" })
  async auditLog(@CurrentWorkspace() workspaceId: string, @Query('limit') limit?: string) {
    const parsed = limit === undefined ? 100 : Number(limit);
    return { data: await this.audit.list(workspaceId, Number.isInteger(parsed) ? parsed : 100) };
  }
}
