import { Controller, type Provider, type Type, UseFilters, UsePipes } from '@nestjs/common';
import type { IdentityFeature } from '../../identity.constants.js';
import type { IdentityPaths } from '../../identity.module-definition.js';
import type { SurfaceExceptionFilter } from './surface-exception.filter.js';
import { ApiExcludeController, ApiResponse } from '../peers/swagger.js';
import { identityValidationPipe } from './validation.pipe.js';

/**
 * Everything the module needs to know to mount one surface: what it provides, which controllers it
 * mounts under which base path option, and the filter that answers its errors in its seed's shape.
 * Each surface folder exports one (`user-groups/user-groups.surface.ts`); `identity.module.ts` lists them.
 */
export interface SurfaceDescriptor {
  /** The `features` entry that mounts it; `management` (keys, audit log) is always mounted. */
  feature: IdentityFeature | 'management';
  /** Services, guards and other providers (classes, or factories behind a token); all are exported to the host. */
  providers: Provider[];
  /** Controllers and the `paths` option each is mounted under. */
  controllers: { controller: Type; path: keyof IdentityPaths }[];
  /** Answers every error of the surface's routes, and of unreadable bodies under its paths. */
  filter: Type<SurfaceExceptionFilter>;
  /** The class documenting the filter's error body (OpenAPI), for every route of the surface. */
  errorBody?: Type;
  /** Whether unknown body fields are refused (400) or dropped; default refused. */
  forbidUnknownFields?: boolean;
}

/** The errors every route of a surface may answer, in the surface's own error body. */
const ERROR_RESPONSES: [number, string][] = [
  [400, 'Invalid input: the message names the field'],
  [401, 'Missing, unknown, expired or revoked credential'],
  [403, 'The credential may not do this (scope, environment, tier)'],
  [404, 'Not found (or another workspace’s)'],
  [429, 'Too many requests or failed checks; see Retry-After'],
];

/** Where @nestjs/swagger reads a controller's tags (`DECORATORS.API_TAGS`). */
const SWAGGER_TAGS_METADATA = 'swagger/apiUseTags';

/**
 * Mounts a controller class at a base path chosen by the host (the `paths` option), with its surface's
 * exception filter and the module's validation pipe, so controllers never bind either themselves.
 * Each call makes a subclass, so two apps in one process can mount the same surface at different paths.
 */
export function mountController<T>(
  controller: Type<T>,
  path: string,
  surface: Pick<SurfaceDescriptor, 'filter' | 'forbidUnknownFields' | 'errorBody'>,
  swagger: { tag?: string; hide?: boolean } = {},
): Type<T> {
  @Controller(path)
  @UseFilters(surface.filter)
  @UsePipes(identityValidationPipe({ forbidUnknown: surface.forbidUnknownFields ?? true }))
  class Mounted extends (controller as Type<object>) {}
  Object.defineProperty(Mounted, 'name', { value: controller.name });
  if (surface.errorBody) {
    for (const [status, description] of ERROR_RESPONSES) {
      ApiResponse({ status, description, type: surface.errorBody })(Mounted);
    }
  }
  // The `swagger` option: the host's document lists the module's routes under its tag, or not at all.
  if (swagger.hide) {
    ApiExcludeController()(Mounted);
  } else if (swagger.tag !== undefined) {
    // Replaces the surface's tag (@nestjs/swagger's ApiTags would add to the inherited one).
    Reflect.defineMetadata(SWAGGER_TAGS_METADATA, [swagger.tag], Mounted);
  }
  return Mounted as Type<T>;
}
