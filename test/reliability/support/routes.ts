import type { INestApplication, Type } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import {
  EndUsersExceptionFilter,
  ExternalUsersExceptionFilter,
  FamilyUsersExceptionFilter,
  ManagementExceptionFilter,
  UserGroupsExceptionFilter,
} from '../../../libs/identity/src/index.js';

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

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];

const joinPaths = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** `METHOD /path` → the exception filter classes bound to its controller (`@UseFilters`), from Nest's metadata. */
function filtersByRoute(app: INestApplication): Map<string, unknown[]> {
  const byRoute = new Map<string, unknown[]>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) {
        continue;
      }
      const filters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, controller) as unknown[]) ?? [];
      const bases = [Reflect.getMetadata(PATH_METADATA, controller) as string | string[]].flat();
      for (
        let proto = controller.prototype;
        proto && proto !== Object.prototype;
        proto = Object.getPrototypeOf(proto)
      ) {
        for (const name of Object.getOwnPropertyNames(proto)) {
          const handler = Object.getOwnPropertyDescriptor(proto, name)?.value as object | undefined;
          const paths =
            typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
          if (paths === undefined) {
            continue;
          }
          const method = HTTP_METHODS[Reflect.getMetadata(METHOD_METADATA, handler as object) as number];
          for (const base of bases) {
            for (const path of [paths as string | string[]].flat()) {
              const key = `${method} ${joinPaths(base ?? '', path)}`;
              if (!byRoute.has(key)) {
                byRoute.set(key, filters);
              }
            }
          }
        }
      }
    }
  }
  return byRoute;
}

/**
 * Every route the running app mounted, read from Express's router table (so a route added tomorrow is
 * listed without touching this file), with the surface whose exception filter its controller is bound to.
 */
export function mountedRoutes(app: INestApplication): MountedRoute[] {
  const instance = app.getHttpAdapter().getInstance() as { router?: { stack: ExpressLayer[] } };
  if (!instance.router) {
    throw new Error('mountedRoutes reads the Express router table: boot the app with the express adapter');
  }
  const filters = filtersByRoute(app);
  const routes: MountedRoute[] = [];
  for (const layer of instance.router.stack) {
    if (!layer.route || DOCUMENTATION.test(layer.route.path)) {
      continue;
    }
    const path = layer.route.path;
    const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
      const bound = filters.get(`${method.toUpperCase()} ${joinPaths(path)}`) ?? [];
      const surfaces = bound.map((filter) => SURFACE_OF_FILTER.get(filter));
      if (surfaces.includes(undefined)) {
        throw new Error(
          `${method} ${path}: an exception filter whose error shape this suite does not know yet`,
        );
      }
      routes.push({ method: method.toUpperCase(), path, params, surface: surfaces[0] ?? 'host' });
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
      if ('details' in b) {
        // a validation failure (400, and 413/415 for an unreadable body) lists the offending fields
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
