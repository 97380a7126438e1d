import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ApiEnvironmentTag,
  CurrentUserGroup,
  UserGroupAuth,
  type UserGroupPrincipal,
} from '../libs/identity/src/index.js';

/** One row of a demo dashboard: a metric name and its value as text. */
export interface DashboardRow {
  metric: string;
  value: string;
}

/** What `GET /dashboards/:id/data` returns to an embed page. */
export interface DashboardData {
  dashboardId: string;
  userGroup: { name: string; providedId: string; environment: ApiEnvironmentTag };
  rows: DashboardRow[];
}

/** Shown to a group without properties, so the demo page has something to render. */
const SAMPLE_ROWS: readonly DashboardRow[] = [
  { metric: 'sample: active users', value: '12' },
  { metric: 'sample: reports viewed', value: '34' },
  { metric: 'sample: exports', value: '5' },
];

/**
 * The demo host's stand-in for a dashboard backend: a route protected by an embed token
 * (`@UserGroupAuth()`), answering with data scoped to the token's user group. The "data" is the
 * group's own properties (sorted, so the answer is deterministic), if it has any, else a few labelled sample rows.
 */
@ApiTags('demo host')
@Controller('dashboards')
export class DashboardsController {
  @Get(':id/data')
  @UserGroupAuth()
  // Per-group data behind a bearer token: no shared caches.
  @Header('Cache-Control', 'no-store')
  data(@Param('id') dashboardId: string, @CurrentUserGroup() group: UserGroupPrincipal): DashboardData {
    return {
      dashboardId,
      userGroup: { name: group.name, providedId: group.providedId, environment: group.apiEnvironmentTag },
      rows: hasEntries(group.properties) ? rowsFromProperties(group.properties) : [...SAMPLE_ROWS],
    };
  }
}

function hasEntries(properties: Record<string, unknown> | null): properties is Record<string, unknown> {
  return properties !== null && Object.keys(properties).length > 0;
}

function rowsFromProperties(properties: Record<string, unknown>): DashboardRow[] {
  return Object.keys(properties)
    .sort()
    .map((metric) => {
      const value = properties[metric];
      return { metric, value: typeof value === 'string' ? value : JSON.stringify(value) };
    });
}
