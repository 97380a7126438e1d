import type { SurfaceDescriptor } from '../common/http/surface.js';
import { PageKeys } from '../common/pagination/keyset.js';
import { IDENTITY_RESOLVED_OPTIONS } from '../identity.constants.js';
import type { ResolvedIdentityOptions } from '../identity.module-definition.js';
import { AnonymizationService } from './anonymization.service.js';
import { CONVERSATIONS_REPOSITORY } from './conversations/conversations.repository.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { CustomAttributesController } from './custom-attributes/custom-attributes.controller.js';
import { CustomAttributesService } from './custom-attributes/custom-attributes.service.js';
import { EndUserDataController } from './end-user-data.controller.js';
import { EndUserExportService } from './end-user-export.service.js';
import { EndUsersBulkService } from './end-users-bulk.service.js';
import { EndUsersExceptionFilter } from './end-users.exception-filter.js';
import { EndUsersController } from './end-users.controller.js';
import { EndUsersService } from './end-users.service.js';
import { DixaError } from './dto/end-user.response.js';

/** Dixa's End Users API (beta) at `paths.endUsers` (default `/beta`). Dixa ignores unknown body fields. */
export const END_USERS_SURFACE: SurfaceDescriptor = {
  feature: 'end-users',
  providers: [
    EndUsersService,
    EndUsersBulkService,
    CustomAttributesService,
    AnonymizationService,
    EndUserExportService,
    ConversationsService,
    PageKeys,
    {
      provide: CONVERSATIONS_REPOSITORY,
      inject: [IDENTITY_RESOLVED_OPTIONS, ConversationsService],
      useFactory: (options: ResolvedIdentityOptions, builtIn: ConversationsService) =>
        options.endUsers.conversations ?? builtIn,
    },
  ],
  controllers: [
    { controller: EndUsersController, path: 'endUsers' },
    { controller: EndUserDataController, path: 'endUsers' },
    { controller: CustomAttributesController, path: 'endUsers' },
  ],
  filter: EndUsersExceptionFilter,
  errorBody: DixaError,
  forbidUnknownFields: false,
};
