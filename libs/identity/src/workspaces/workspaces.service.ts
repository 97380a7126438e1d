import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { IdentityEvents } from '../identity.constants.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import { isUuid, newId, runInTransaction } from '../common/persistence/persistence.js';
import { WorkspaceEntity } from './workspace.entity.js';

/** Creates and finds workspaces, the module's tenants. */
@Injectable()
export class WorkspacesService {
  constructor(
    @InjectRepository(WorkspaceEntity) private readonly workspaces: Repository<WorkspaceEntity>,
    private readonly events: IdentityEventsPublisher,
  ) {}

  async create(name: string): Promise<WorkspaceEntity> {
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) {
      throw IdentityError.validation('name: must be 1 to 200 characters', ['name']);
    }
    const workspace = this.workspaces.create({ id: newId(), name: trimmed, createdAt: new Date() });
    await runInTransaction(this.workspaces.manager.connection, (manager) =>
      manager.insert(WorkspaceEntity, workspace),
    );
    this.events.emit(IdentityEvents.workspaceCreated, { workspaceId: workspace.id, id: workspace.id });
    return workspace;
  }

  async list(): Promise<WorkspaceEntity[]> {
    return this.workspaces.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async count(): Promise<number> {
    return this.workspaces.count();
  }

  /** The workspace, or an `IdentityError` (not found) when the id names none. */
  async get(id: string): Promise<WorkspaceEntity> {
    const workspace = isUuid(id) ? await this.workspaces.findOneBy({ id }) : null;
    if (!workspace) {
      throw IdentityError.notFound('Workspace not found.');
    }
    return workspace;
  }
}
