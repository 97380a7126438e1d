import { Controller, type Type } from '@nestjs/common';

/**
 * Mounts a controller class at a base path chosen by the host (the `paths` option). Each call makes a
 * subclass, so two apps in one process can mount the same surface at different paths.
 */
export function mountController<T>(controller: Type<T>, path: string): Type<T> {
  @Controller(path)
  class Mounted extends (controller as Type<object>) {}
  Object.defineProperty(Mounted, 'name', { value: controller.name });
  return Mounted as Type<T>;
}
