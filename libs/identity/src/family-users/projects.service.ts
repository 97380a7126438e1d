import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { insertRows, newId, runInTransaction } from '../common/persistence/persistence.js';
import { lockWorkspace, nextNumber } from './family-numbers.js';
import { ProjectEntity } from './project.entity.js';

/** Input of `ProjectsService.create`. */
export interface CreateProjectInput {
  name: string;
}

/** Regpack projects (`group_id`): created by the host, named by number in every users call. */
@Injectable()
export class ProjectsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Creates a project with the workspace's next `group_id`. */
  async create(callerLike: CallerLike, input: CreateProjectInput): Promise<ProjectEntity> {
    const caller = toCaller(callerLike);
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) {
      throw IdentityError.validation('name: must be 1 to 200 characters', ['name']);
    }
    return runInTransaction(this.dataSource, async (manager) => {
      await lockWorkspace(manager, caller.workspaceId);
      const project: ProjectEntity = {
        id: newId(),
        workspaceId: caller.workspaceId,
        groupId: await nextNumber(manager, 'identity_family_projects', 'group_id', caller.workspaceId),
        name,
        createdAt: new Date(),
      };
      await insertRows(manager, ProjectEntity, project);
      await this.audit.record(
        caller.actor,
        {
          workspaceId: caller.workspaceId,
          action: 'family-project.create',
          targetType: 'family_project',
          targetId: project.id,
        },
        manager,
      );
      return project;
    });
  }

  /** The workspace's project with this `group_id`; another workspace's or an unknown one is a 404. */
  async findByGroupId(workspaceId: string, groupId: number, manager?: EntityManager): Promise<ProjectEntity> {
    const project = await (manager ?? this.dataSource.manager).findOneBy(ProjectEntity, {
      workspaceId,
      groupId,
    });
    if (!project) {
      throw IdentityError.notFound(`Project (group_id ${groupId}) not found.`);
    }
    return project;
  }

  /** Every project of the workspace, by `group_id`. */
  async list(workspaceId: string): Promise<ProjectEntity[]> {
    return this.dataSource.manager.find(ProjectEntity, { where: { workspaceId }, order: { groupId: 'ASC' } });
  }
}
