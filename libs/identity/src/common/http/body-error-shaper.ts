import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { SurfaceExceptionFilter } from './surface-exception.filter.js';

/** Injection token of the mounted surfaces' base paths and their error filters. */
export const IDENTITY_SURFACE_ERRORS = Symbol('IDENTITY_SURFACE_ERRORS');

/** A mounted surface: requests under `path` answer errors with `filter`'s shape. */
export interface SurfaceErrors {
  path: string;
  filter: SurfaceExceptionFilter;
}

/**
 * A body that cannot be parsed (malformed JSON, too large) fails in the host's body parser, before any
 * route, guard or controller-scoped filter runs, and would leave in Nest's default shape. This adds one
 * Express error handler, after the routes and before Nest's own, that answers such errors under the
 * module's paths in that surface's seed shape, and passes everything else on untouched.
 */
@Injectable()
export class BodyErrorShaper implements OnModuleInit {
  constructor(
    @Inject(IDENTITY_SURFACE_ERRORS) private readonly surfaces: SurfaceErrors[],
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter || adapter.getType() !== 'express') {
      return; // an application context (CLI) or another HTTP platform: nothing to add
    }
    // Longest path first, so '/api/v1' wins over '/api'.
    const surfaces = [...this.surfaces].sort((a, b) => b.path.length - a.path.length);
    adapter.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
      const isBodyError = typeof err === 'object' && err !== null && 'type' in err && 'status' in err;
      const surface = isBodyError
        ? surfaces.find(({ path }) => path === '/' || req.path === path || req.path.startsWith(`${path}/`))
        : undefined;
      if (!surface || res.headersSent) {
        next(err);
        return;
      }
      surface.filter.respond(err, res);
    });
  }
}
