import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { insertRows, newId, runInTransaction } from '../common/persistence/persistence.js';
import { lockWorkspace, nextNumber } from './family-numbers.js';
import { ProjectsService } from './projects.service.js';
import { StatusEntity } from './status.entity.js';

/** Input of `StatusesService.create` (Regpack's `status_name`, `color`, `is_excluded`). */
export interface CreateStatusInput {
  name: string;
  /** `#rrggbb` (a missing `#` is added). */
  color: string;
  isExcluded?: boolean;
}

const HEX_COLOR = /^#?[0-9a-fA-F]{6}$/;

/** Registration statuses of a project. */
@Injectable()
export class StatusesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly projects: ProjectsService,
    private readonly audit: AuditService,
  ) {}

  /** Creates a status in the project `groupId` with the workspace's next `status_id`. */
  async create(callerLike: CallerLike, groupId: number, input: CreateStatusInput): Promise<StatusEntity> {
    const caller = toCaller(callerLike);
    const problems: string[] = [];
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > 100) {
      problems.push('status_name');
    }
    if (typeof input.color !== 'string' || !HEX_COLOR.test(input.color)) {
      problems.push('color');
    }
    if (problems.length > 0) {
      throw IdentityError.validation(
        problems
          .map((field) =>
            field === 'color'
              ? 'color: must be a hex colour like #33aa66'
              : 'status_name: must be 1 to 100 characters',
          )
          .join('; '),
        problems,
      );
    }
    const project = await this.projects.findByGroupId(caller.workspaceId, groupId);
    return runInTransaction(this.dataSource, async (manager) => {
      await lockWorkspace(manager, caller.workspaceId);
      const status: StatusEntity = {
        id: newId(),
        workspaceId: caller.workspaceId,
        projectId: project.id,
        statusId: await nextNumber(manager, 'identity_family_statuses', 'status_id', caller.workspaceId),
        name,
        color: `#${input.color.replace('#', '').toLowerCase()}`,
        isExcluded: input.isExcluded ?? false,
        createdAt: new Date(),
      };
      await insertRows(manager, StatusEntity, status);
      await this.audit.record(
        caller.actor,
        {
          workspaceId: caller.workspaceId,
          action: 'family-status.create',
          targetType: 'family_status',
          targetId: status.id,
        },
        manager,
      );
      return status;
    });
  }

  /** The status `statusId` of the project; a status of another project or workspace is a 404. */
  async findInProject(
    workspaceId: string,
    projectId: string,
    statusId: number,
    manager?: EntityManager,
  ): Promise<StatusEntity> {
    const status = await (manager ?? this.dataSource.manager).findOneBy(StatusEntity, {
      workspaceId,
      projectId,
      statusId,
    });
    if (!status) {
      throw IdentityError.notFound(`Status ${statusId} not found in this project.`);
    }
    return status;
  }
}
