import { Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentWorkspace } from '../api-keys/api-key.decorators.js';
import { AuditService } from './audit.service.js';
import { AuditLogQueryDto, AuditLogResponse } from './dto/audit-log.dto.js';

/** `<paths.management>/audit-log`: the workspace's newest audit entries. Errors are `{ message }`. */
@ApiTags('identity management')
@ApiKeyAuth()
export class AuditLogController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit-log')
  @ApiOperation({ summary: "The workspace's newest audit entries (ids only, no secrets, no PII)" })
  @ApiOkResponse({ type: AuditLogResponse })
  async list(
    @CurrentWorkspace() workspaceId: string,
    @Query() query: AuditLogQueryDto,
  ): Promise<AuditLogResponse> {
    return { data: await this.audit.list(workspaceId, query.limit ?? 100) };
  }
}
