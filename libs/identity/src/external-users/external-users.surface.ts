import type { SurfaceDescriptor } from '../common/http/surface.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsService } from './channels.service.js';
import { ExternalUserGroupsController } from './external-user-groups.controller.js';
import { ExternalUserGroupsService } from './external-user-groups.service.js';
import { ExternalUserQuotasService } from './external-user-quotas.service.js';
import { ExternalUserTokensService } from './external-user-tokens.service.js';
import { ExternalUserGuard } from './external-user.guard.js';
import { ExternalUserWriter } from './external-user.writer.js';
import { ExternalUsersController } from './external-users.controller.js';
import { ExternalUsersExceptionFilter } from './external-users.exception-filter.js';
import { ExternalUsersService } from './external-users.service.js';
import { TiersController } from './tiers.controller.js';
import { TiersService } from './tiers.service.js';
import { ZaiaError } from './dto/common.dto.js';

/** Zaia's external users, groups, tiers and channels, at `paths.externalUsers` (default `/api/v1`). */
export const EXTERNAL_USERS_SURFACE: SurfaceDescriptor = {
  feature: 'external-users',
  providers: [
    ExternalUsersService,
    ExternalUserTokensService,
    ExternalUserWriter,
    ExternalUserQuotasService,
    ExternalUserGroupsService,
    TiersService,
    ChannelsService,
    ExternalUserGuard,
  ],
  controllers: [
    { controller: ExternalUsersController, path: 'externalUsers' },
    { controller: ExternalUserGroupsController, path: 'externalUsers' },
    { controller: TiersController, path: 'externalUsers' },
    { controller: ChannelsController, path: 'externalUsers' },
  ],
  filter: ExternalUsersExceptionFilter,
  errorBody: ZaiaError,
};
