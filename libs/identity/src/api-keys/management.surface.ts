import { AuditLogController } from '../audit/audit-log.controller.js';
import type { SurfaceDescriptor } from '../common/http/surface.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ManagementExceptionFilter } from './management.exception-filter.js';
import { ManagementError } from './dto/api-key.response.js';

/** The module's own management routes (API keys, audit log) at `paths.management` (default `/identity`). */
export const MANAGEMENT_SURFACE: SurfaceDescriptor = {
  feature: 'management',
  providers: [],
  controllers: [
    { controller: ApiKeysController, path: 'management' },
    { controller: AuditLogController, path: 'management' },
  ],
  filter: ManagementExceptionFilter,
  errorBody: ManagementError,
};
