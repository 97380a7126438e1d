import type { SurfaceDescriptor } from '../common/http/surface.js';
import { CentralLoginsService } from './central-logins.service.js';
import { FamilySessionController } from './family-session.controller.js';
import { FamilySessionsService } from './family-sessions.service.js';
import { FamilyUserGuard } from './family-user.guard.js';
import { FamilyUserQueriesService } from './family-user-queries.service.js';
import { FamilyUserRecordsService } from './family-user-records.service.js';
import { FamilyUserRegistrationsService } from './family-user-registrations.service.js';
import { FamilyUsersController } from './family-users.controller.js';
import { FamilyUsersExceptionFilter } from './family-users.exception-filter.js';
import { FamilyUsersService } from './family-users.service.js';
import { LoginFailureLimiter } from './login-failure-limiter.js';
import { PasswordHasher } from './password-hasher.js';
import { ProjectsController } from './projects.controller.js';
import { ProjectsService } from './projects.service.js';
import { StatusesService } from './statuses.service.js';
import { RegpackError } from './dto/regpack-envelope.response.js';

/** Regpack's users API (projects, central logins, families, statuses), at `paths.familyUsers` (default `/reg/api2`). */
export const FAMILY_USERS_SURFACE: SurfaceDescriptor = {
  feature: 'family-users',
  providers: [
    ProjectsService,
    StatusesService,
    PasswordHasher,
    LoginFailureLimiter,
    CentralLoginsService,
    FamilySessionsService,
    FamilyUserQueriesService,
    FamilyUserRegistrationsService,
    FamilyUserRecordsService,
    FamilyUsersService,
    FamilyUserGuard,
  ],
  controllers: [
    { controller: FamilyUsersController, path: 'familyUsers' },
    { controller: ProjectsController, path: 'familyUsers' },
    { controller: FamilySessionController, path: 'familyUsers' },
  ],
  filter: FamilyUsersExceptionFilter,
  errorBody: RegpackError,
  // Regpack's clients send extra fields freely; unknown ones are dropped, not refused.
  forbidUnknownFields: false,
};
