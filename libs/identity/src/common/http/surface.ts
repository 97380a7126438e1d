import { Controller, type Provider, type Type, UseFilters, UsePipes } from '@nestjs/common';
import type { IdentityFeature } from '../../identity.constants.js';
import type { IdentityPaths } from '../../identity.module-definition.js';
import type { SurfaceExceptionFilter } from './surface-exception.filter.js';
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
  /** Whether unknown body fields are refused (400) or dropped; default refused. */
  forbidUnknownFields?: boolean;
}

/**
 * Mounts a controller class at a base path chosen by the host (the `paths` option), with its surface's
 * exception filter and the module's validation pipe, so controllers never bind either themselves.
 * Each call makes a subclass, so two apps in one process can mount the same surface at different paths.
 */
export function mountController<T>(
  controller: Type<T>,
  path: string,
  surface: Pick<SurfaceDescriptor, 'filter' | 'forbidUnknownFields'>,
): Type<T> {
  @Controller(path)
  @UseFilters(surface.filter)
  @UsePipes(identityValidationPipe({ forbidUnknown: surface.forbidUnknownFields ?? true }))
  class Mounted extends (controller as Type<object>) {}
  Object.defineProperty(Mounted, 'name', { value: controller.name });
  return Mounted as Type<T>;
}
