import type { ArgumentsHost, ExecutionContext, Type } from '@nestjs/common';

/**
 * Fakes of the HTTP objects guards and exception filters see, for unit specs without an HTTP server.
 * They behave like the real ones where the module depends on it: Node lower-cases incoming header
 * names, Express and Fastify refuse headers after the body has been sent.
 */

/** An incoming request as Express or Fastify hands it to a guard. */
export interface FakeRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  method: string;
  ip?: string;
  socket: { remoteAddress?: string };
  [property: string]: unknown;
}

/** Builds a request; header names are lower-cased as Node does, the method defaults to GET. */
export function fakeRequest(
  init: {
    headers?: Record<string, string | string[] | undefined>;
    query?: Record<string, unknown>;
    method?: string;
    ip?: string;
  } = {},
): FakeRequest {
  const headers: FakeRequest['headers'] = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  return {
    headers,
    query: init.query ?? {},
    method: init.method ?? 'GET',
    ip: init.ip,
    socket: { remoteAddress: init.ip },
  };
}

/** What a response fake recorded: headers by lower-cased name, status and body once sent. */
abstract class RecordingResponse {
  /** The status code, as both platforms expose it. */
  statusCode = 200;
  /** The body given to `send`/`json`; undefined until sent. */
  body: unknown;
  protected readonly written = new Map<string, string>();
  protected done = false;

  /** A header's value, by any-case name, as `ServerResponse.getHeader` and Fastify's `getHeader`. */
  getHeader(name: string): string | undefined {
    return this.written.get(name.toLowerCase());
  }

  /** Every header set so far, by lower-cased name. */
  get headers(): Record<string, string> {
    return Object.fromEntries(this.written);
  }

  protected writeHeader(name: string, value: string): void {
    if (this.done) {
      throw new Error(`Cannot set header ${name} after the response was sent`);
    }
    this.written.set(name.toLowerCase(), String(value));
  }

  protected finish(body: unknown): void {
    if (this.done) {
      throw new Error('The response was sent twice');
    }
    this.done = true;
    this.body = body;
  }
}

/** An Express `Response`: `status()`, `json()`, `send()`, `header()`/`set()` and Node's `setHeader()`. */
export class FakeExpressResponse extends RecordingResponse {
  /** Express's name for "the body went out". */
  get headersSent(): boolean {
    return this.done;
  }

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  json(body: unknown): this {
    this.finish(body);
    return this;
  }

  send(body: unknown): this {
    this.finish(body);
    return this;
  }

  header(name: string, value: string): this {
    this.writeHeader(name, value);
    return this;
  }

  set(name: string, value: string): this {
    return this.header(name, value);
  }

  setHeader(name: string, value: string): this {
    this.writeHeader(name, value);
    return this;
  }
}

/** A Fastify `Reply`: `code()` (and its alias `status()`), `header()`, `send()`; no `json()`, no `setHeader()`. */
export class FakeFastifyReply extends RecordingResponse {
  /** Fastify's name for "the body went out". */
  get sent(): boolean {
    return this.done;
  }

  code(code: number): this {
    this.statusCode = code;
    return this;
  }

  status(code: number): this {
    return this.code(code);
  }

  header(name: string, value: string): this {
    this.writeHeader(name, value);
    return this;
  }

  send(body: unknown): this {
    this.finish(body);
    return this;
  }
}

/** A bare Node `ServerResponse`: only `setHeader()` and `end()`, as under a platform the module does not know. */
export class FakeServerResponse extends RecordingResponse {
  setHeader(name: string, value: string): this {
    this.writeHeader(name, value);
    return this;
  }

  end(body?: unknown): this {
    this.finish(body);
    return this;
  }
}

/** A route for a context: a controller class and one of its methods (metadata is read from both). */
export interface FakeRoute {
  controller: Type<unknown>;
  handler: (...args: never[]) => unknown;
}

/** A fresh route without metadata; each call gives a new class, so per-route caches never carry over. */
export function plainRoute(): FakeRoute {
  class PlainController {
    handle(): void {}
  }
  return { controller: PlainController, handler: PlainController.prototype.handle };
}

/** The route `controller.prototype[method]`, with the metadata its decorators set. */
export function routeOf<C>(controller: Type<C>, method: keyof C & string): FakeRoute {
  return { controller, handler: controller.prototype[method] as FakeRoute['handler'] };
}

/**
 * An HTTP `ExecutionContext` (which is also the `ArgumentsHost` a filter gets) over a request, a
 * response and a route. Switching to RPC or WebSockets throws: the module's guards are HTTP-only.
 */
export function httpContext(
  init: { request?: object; response?: object; route?: FakeRoute } = {},
): ExecutionContext & ArgumentsHost {
  const request = init.request ?? fakeRequest();
  const response = init.response ?? new FakeExpressResponse();
  const route = init.route ?? plainRoute();
  const args = [request, response, () => undefined];
  const notHttp = (): never => {
    throw new Error('httpContext: only the HTTP context is faked');
  };
  return {
    getType: <T extends string>() => 'http' as T,
    getClass: <T>() => route.controller as Type<T>,
    getHandler: () => route.handler,
    getArgs: <T extends unknown[]>() => args as T,
    getArgByIndex: <T>(index: number) => args[index] as T,
    switchToHttp: () => ({
      getRequest: <T>() => request as T,
      getResponse: <T>() => response as T,
      getNext: <T>() => args[2] as T,
    }),
    switchToRpc: notHttp,
    switchToWs: notHttp,
  };
}
