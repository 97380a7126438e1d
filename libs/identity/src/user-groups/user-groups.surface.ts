import type { SurfaceDescriptor } from '../common/http/surface.js';
import { UserGroupTokenGuard } from './user-group-token.guard.js';
import { UserGroupsExceptionFilter } from './user-groups.exception-filter.js';
import { UserGroupsController } from './user-groups.controller.js';
import { UserGroupsService } from './user-groups.service.js';
import { ExploError } from './dto/user-group.response.js';

/** Explo's End User Group API and embed tokens, at `paths.userGroups` (default `/api`). */
export const USER_GROUPS_SURFACE: SurfaceDescriptor = {
  feature: 'user-groups',
  providers: [UserGroupsService, UserGroupTokenGuard],
  controllers: [{ controller: UserGroupsController, path: 'userGroups' }],
  filter: UserGroupsExceptionFilter,
  errorBody: ExploError,
};
