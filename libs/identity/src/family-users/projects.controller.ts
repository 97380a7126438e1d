import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../common/peers/swagger.js';
import { ApiKeyAuth, CurrentCaller } from '../api-keys/api-key.decorators.js';
import type { Caller } from '../audit/caller.js';
import { ProjectsRequestDto, StatusesRequestDto } from './dto/family-users.dto.js';
import { ProjectCreatedResponse, StatusCreatedResponse } from './dto/family-projects.response.js';
import { ProjectsService } from './projects.service.js';
import { StatusesService } from './statuses.service.js';

/**
 * Projects and statuses at `<paths.familyUsers>/projects/` and `/statuses/`: Regpack makes both in its
 * UI; here the host makes them through these routes or `ProjectsService` / `StatusesService`.
 */
@ApiTags('family users (Regpack)')
@ApiKeyAuth()
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly statuses: StatusesService,
  ) {}

  @Post('projects')
  @HttpCode(200)
  @ApiOperation({ summary: "Creates a project (action 'create', doc.name); answers its group_id" })
  @ApiOkResponse({ type: ProjectCreatedResponse })
  async createProject(
    @CurrentCaller() caller: Caller,
    @Body() body: ProjectsRequestDto,
  ): Promise<ProjectCreatedResponse> {
    return ProjectCreatedResponse.from(await this.projects.create(caller, { name: body.doc.name }));
  }

  @Post('statuses')
  @HttpCode(200)
  @ApiOperation({
    summary: "Creates a status of a project (action 'create', status_name, color, is_excluded)",
  })
  @ApiOkResponse({ type: StatusCreatedResponse })
  async createStatus(
    @CurrentCaller() caller: Caller,
    @Body() body: StatusesRequestDto,
  ): Promise<StatusCreatedResponse> {
    const status = await this.statuses.create(caller, body.group_id, {
      name: body.doc?.status_name ?? body.status_name ?? '',
      color: body.doc?.color ?? body.color ?? '',
      isExcluded: body.doc?.is_excluded ?? body.is_excluded,
    });
    return StatusCreatedResponse.from(status, body.group_id);
  }
}
