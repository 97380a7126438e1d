import type { INestApplication } from '@nestjs/common';
import {
  EndUsersExceptionFilter,
  ExternalUsersExceptionFilter,
  FamilyUsersExceptionFilter,
  ManagementExceptionFilter,
  UserGroupsExceptionFilter,
} from '../../../libs/identity/src/index.js';
import { BodyErrorShaper } from '../../../libs/identity/src/common/http/body-error-shaper.js';

/** Who answers a route's errors: one of the module's surfaces, or the host (Nest's own shape). */
export type SurfaceName = 'explo' | 'dixa' | 'zaia' | 'regpack' | 'management' | 'host';

/** A route as the running app mounted it. */
export interface MountedRoute {
  method: string;
  /** The path pattern, e.g. `/beta/endusers/:userId`. */
  path: string;
  /** Names of its path parameters, in order. */
  params: string[];
  surface: SurfaceName;
}

const SURFACE_OF_FILTER = new Map<unknown, SurfaceName>([
  [UserGroupsExceptionFilter, 'explo'],
  [EndUsersExceptionFilter, 'dixa'],
  [ExternalUsersExceptionFilter, 'zaia'],
  [FamilyUsersExceptionFilter, 'regpack'],
  [ManagementExceptionFilter, 'management'],
]);

/** Swagger's own pages are the host's documentation, not an API. */
const DOCUMENTATION = /^\/docs(\/|-json$|-yaml$|$)/;

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * Every route the running app mounted, read from Express's router table (so a route added tomorrow is
 * listed without touching this file), with the surface whose filter answers its errors (found the way
 * the module finds it for unreadable bodies: by the surfaces' base paths).
 */
export function mountedRoutes(app: INestApplication): MountedRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] } };
  if (!instance.router) {
    throw new Error('mountedRoutes reads the Express router table: boot the app with the express adapter');
  }
  const shaper = app.get(BodyErrorShaper);
  const routes: MountedRoute[] = [];
  for (const layer of instance.router.stack) {
    if (!layer.route || DOCUMENTATION.test(layer.route.path)) {
      continue;
    }
    const path = layer.route.path;
    const filter = shaper.surfaceOf(path)?.filter;
    let surface: SurfaceName = 'host';
    if (filter) {
      const known = SURFACE_OF_FILTER.get(filter.constructor);
      if (!known) {
        throw new Error(
          `${path}: errors answered by ${filter.constructor.name}, whose shape this suite does not know yet`,
        );
      }
      surface = known;
    }
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    for (const method of Object.keys(layer.route.methods)) {
      if (method !== '_all') {
        routes.push({ method: method.toUpperCase(), path, params, surface });
      }
    }
  }
  return routes;
}

/** Percent-encodes anything, lone surrogates too (as the UTF-8 bytes they would be: not valid UTF-8). */
export function encodeAny(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text]
      .map((c) =>
        /\p{Cs}/u.test(c)
          ? `%ED%${(0xa0 + ((c.charCodeAt(0) >> 6) & 0x1f)).toString(16)}%80`
          : encodeURIComponent(c),
      )
      .join('');
  }
}

/** A route's path with its parameters replaced, in order, by `values` (percent-encoded). */
export function fillPath(route: MountedRoute, values: string[]): string {
  let i = 0;
  return route.path.replace(/:(\w+)/g, () => encodeAny(values[i++] ?? ''));
}

/** The resource a path parameter names: the path segment before it (`/beta/endusers/:userId` → `endusers`). */
export function resourceOf(route: MountedRoute, param: string): string {
  const segments = route.path.split('/');
  const at = segments.indexOf(`:${param}`);
  return segments[at - 1] ?? '';
}

const isString = (v: unknown): v is string => typeof v === 'string';
const keysAre = (body: object, allowed: string[], required: string[]) =>
  Object.keys(body).every((k) => allowed.includes(k)) && required.every((k) => k in body);

/**
 * Whether `body` is an error in the surface's own shape (its exception filter):
 * Explo `{ success: 0, error }`, Dixa `{ message }`, Zaia `{ message, details? }`, Regpack
 * `{ success: false, msg, msg_type: 'error' }`, management `{ message, fields? }`, host routes Nest's
 * `{ statusCode, message, error? }`.
 */
export function isSurfaceError(surface: SurfaceName, status: number, body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return false;
  }
  const b = body as Record<string, unknown>;
  switch (surface) {
    case 'explo':
      return keysAre(b, ['success', 'error'], ['success', 'error']) && b.success === 0 && isString(b.error);
    case 'dixa':
      return keysAre(b, ['message'], ['message']) && isString(b.message);
    case 'zaia':
      if (status === 400) {
        return (
          keysAre(b, ['message', 'details'], ['message', 'details']) &&
          b.message === 'Invalid data provided.' &&
          Array.isArray(b.details) &&
          b.details.every(
            (d: { field?: unknown; message?: unknown }) => isString(d.field) && isString(d.message),
          )
        );
      }
      return keysAre(b, ['message'], ['message']) && isString(b.message);
    case 'regpack':
      return (
        keysAre(b, ['success', 'msg', 'msg_type'], ['success', 'msg', 'msg_type']) &&
        b.success === false &&
        isString(b.msg) &&
        b.msg_type === 'error'
      );
    case 'management':
      return (
        keysAre(b, ['message', 'fields'], ['message']) &&
        isString(b.message) &&
        (b.fields === undefined || (Array.isArray(b.fields) && b.fields.every(isString)))
      );
    default:
      return (
        keysAre(b, ['statusCode', 'message', 'error'], ['statusCode', 'message']) &&
        b.statusCode === status &&
        (isString(b.message) || (Array.isArray(b.message) && b.message.every(isString)))
      );
  }
}
