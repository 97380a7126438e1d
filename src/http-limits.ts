import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { HttpConfig } from './config.js';

/**
 * A 413 shaped like body-parser's own (http-errors: `status`, `statusCode`, `expose`, `type`), so the
 * identity module answers it in each surface's shape under its paths and Nest answers it elsewhere.
 */
function entityTooLarge(length: number, limit: number): Error {
  return Object.assign(new Error('request entity too large'), {
    status: 413,
    statusCode: 413,
    expose: true,
    type: 'entity.too.large',
    length,
    limit,
  });
}

/**
 * Express middleware for before the body parsers: a request that declares a `Content-Length` over
 * `limitBytes` is refused with 413 before a byte of its body is read, and its connection is closed
 * after the answer. Express's body parser would read (and drop) the whole declared body first, so a
 * client that declares 50 MB and then stalls would hold the connection until the request timeout.
 * Fastify refuses such a request by itself (`bodyLimit`).
 */
export function refuseOversizedBodies(
  defaultLimitBytes: number,
  largeBodyPaths: Record<string, number> = {},
): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const limitBytes = bodyLimitFor(req.url ?? '/', defaultLimitBytes, largeBodyPaths);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      res.setHeader('Connection', 'close');
      next(entityTooLarge(declared, limitBytes));
      return;
    }
    next();
  };
}

/** The body limit of a request path: the one of the longest matching `largeBodyPaths` prefix, else the default. */
export function bodyLimitFor(
  url: string,
  defaultLimitBytes: number,
  largeBodyPaths: Record<string, number>,
): number {
  const path = url.split('?')[0];
  const match = Object.keys(largeBodyPaths)
    .filter((prefix) => path === prefix || path.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length)[0];
  return match === undefined ? defaultLimitBytes : largeBodyPaths[match];
}

/**
 * How often Node looks for requests past `requestTimeout`/`headersTimeout`: its default (30 s) would let a
 * stalled request live up to 30 s past its timeout. A check of the open connections every second is cheap.
 */
export function connectionsCheckingInterval(http: HttpConfig): number {
  return Math.max(50, Math.min(1000, http.requestTimeoutMs, http.headersTimeoutMs));
}

/**
 * Sets the timeouts on the Node HTTP server (Express's; Fastify takes the same values as its options).
 * Call before the server listens: Node starts its timeout checks when listening begins.
 */
export function applyServerTimeouts(server: Server, http: HttpConfig): void {
  server.requestTimeout = http.requestTimeoutMs;
  server.headersTimeout = Math.min(http.headersTimeoutMs, http.requestTimeoutMs);
  server.keepAliveTimeout = http.keepAliveTimeoutMs;
  // A createServer() option that Node reads again each time the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    connectionsCheckingInterval(http);
}

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Fastify `preParsing` hook: decodes a gzip, deflate or brotli body as Express's body parser does, and
 * refuses any other `Content-Encoding` with 415. Fastify by itself ignores the header: it would parse
 * compressed bytes as they are, and accept a body that declares an encoding it does not have. A body
 * that does not decode fails with 400; the body limit applies to the decoded size, as on Express.
 */
export function decodeContentEncoding(
  request: { headers: IncomingHttpHeaders },
  _reply: unknown,
  payload: Readable,
  done: (err: Error | null, body?: Readable) => void,
): void {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding === 'identity') {
    done(null, payload);
    return;
  }
  const createDecoder = DECODERS[encoding];
  if (!createDecoder) {
    done(
      Object.assign(new Error(`unsupported content encoding "${encoding}"`), {
        status: 415,
        statusCode: 415,
        expose: true,
        type: 'encoding.unsupported',
      }),
    );
    return;
  }
  const decoder = Object.assign(createDecoder(), { receivedEncodedLength: 0 });
  // Registered before Fastify's own listener: the error leaves as a 400 (http-errors' marks), not a 500.
  decoder.once('error', (err: Error) => Object.assign(err, { status: 400, statusCode: 400, expose: true }));
  // Fastify compares Content-Length with the bytes received, which are the encoded ones.
  payload.on('data', (chunk: Buffer) => {
    decoder.receivedEncodedLength += chunk.length;
  });
  payload.once('error', (err) => decoder.destroy(err));
  done(null, payload.pipe(decoder));
}
