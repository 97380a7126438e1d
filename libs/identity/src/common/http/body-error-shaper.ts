import { Inject, Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { type AbstractHttpAdapter, HttpAdapterHost } from '@nestjs/core';
import type { SurfaceExceptionFilter } from './surface-exception.filter.js';

/** Injection token of the mounted surfaces' base paths and their error filters. */
export const IDENTITY_SURFACE_ERRORS = Symbol('IDENTITY_SURFACE_ERRORS');

/** A mounted surface: requests under `path` answer errors with `filter`'s shape. */
export interface SurfaceErrors {
  path: string;
  filter: SurfaceExceptionFilter;
}

/** The parts of an Express request and response the error handler reads. */
interface ExpressRequest {
  path: string;
}
interface ExpressResponse {
  headersSent: boolean;
}

/** The parts of a Fastify request and reply the error handler reads. */
interface FastifyRequest {
  url: string;
}
interface FastifyReply {
  sent: boolean;
}
type FastifyErrorHandler = (
  this: unknown,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
) => unknown;

/**
 * Errors the HTTP platform raises before any route, guard or controller-scoped filter runs would leave in
 * Nest's default shape: a body that cannot be read (malformed JSON, too large, an unsupported type, a
 * Content-Encoding that does not decode) or a path whose percent-escapes do not decode. This answers
 * them under the module's paths in that surface's seed shape, and leaves every other path to the host.
 *
 * - Express: one error middleware, after the routes and before Nest's own error handler.
 * - Fastify: such errors reach only Fastify's error handler, which Nest installs during `init()`; the
 *   handler Nest installs is wrapped so that errors under a surface's path go to its filter first.
 *   Fastify's router answers a bad percent-escape through its `frameworkErrors` option, which the host
 *   sets (see README): pass those errors to the instance's error handler and they are answered here too.
 */
@Injectable()
export class BodyErrorShaper implements OnModuleInit {
  /** Longest path first, so '/api/v1' wins over '/api'. */
  private readonly surfaces: SurfaceErrors[];

  constructor(
    @Inject(IDENTITY_SURFACE_ERRORS) surfaces: SurfaceErrors[],
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.surfaces = [...surfaces].sort((a, b) => b.path.length - a.path.length);
  }

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    switch (adapter?.getType()) {
      case 'express':
        this.answerExpressErrors(adapter!);
        break;
      case 'fastify':
        this.answerFastifyErrors(adapter!);
        break;
      default:
      // an application context (CLI) or another HTTP platform: nothing to add
    }
  }

  /** The surface whose base path holds `path` (a URL path without its query). */
  surfaceOf(path: string): SurfaceErrors | undefined {
    return this.surfaces.find(
      (surface) => surface.path === '/' || path === surface.path || path.startsWith(`${surface.path}/`),
    );
  }

  private answerExpressErrors(adapter: AbstractHttpAdapter): void {
    adapter.use((err: unknown, req: ExpressRequest, res: ExpressResponse, next: (err: unknown) => void) => {
      const surface = res.headersSent ? undefined : this.surfaceOf(req.path);
      if (!surface) {
        next(err);
        return;
      }
      surface.filter.respond(err, res);
    });
  }

  private answerFastifyErrors(adapter: AbstractHttpAdapter): void {
    const surfaceOf = (url: string) => this.surfaceOf(routedPath(url));
    const setErrorHandler = adapter.setErrorHandler.bind(adapter);
    adapter.setErrorHandler = (handler: FastifyErrorHandler, prefix?: string): unknown =>
      setErrorHandler(function (this: unknown, error: unknown, request: FastifyRequest, reply: FastifyReply) {
        const surface = reply.sent ? undefined : surfaceOf(request.url);
        if (!surface) {
          return handler.call(this, error, request, reply);
        }
        surface.filter.respond(error, reply);
        return undefined;
      }, prefix);
  }
}

/** The path Fastify routes by: the URL without its query, percent-decoded when it decodes. */
function routedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  try {
    return decodeURI(path);
  } catch {
    return path; // a bad percent-escape: the very error being answered
  }
}
