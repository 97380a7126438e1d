/**
 * Writing to a response without knowing the HTTP platform: Express's `Response` and Fastify's `Reply`
 * both have `header(name, value)`; Fastify sets the status with `code()`, Express with `status()`,
 * and both send a JSON body with `send()` when given an object (Express: `json()`).
 */
interface ReplyLike {
  header?(name: string, value: string): unknown;
  setHeader?(name: string, value: string): unknown;
  code?(status: number): unknown;
  status?(status: number): unknown;
  json?(body: unknown): unknown;
  send?(body: unknown): unknown;
}

/** Sets one response header on an Express response, a Fastify reply or a bare `ServerResponse`. */
export function setResponseHeader(response: object, name: string, value: string): void {
  const reply = response as ReplyLike;
  if (typeof reply.header === 'function') {
    reply.header(name, value);
  } else {
    reply.setHeader?.(name, value);
  }
}

/** Sends `body` as JSON with `status` and `headers` on an Express response or a Fastify reply. */
export function sendJson(
  response: object,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const reply = response as ReplyLike;
  for (const [name, value] of Object.entries(headers)) {
    setResponseHeader(response, name, value);
  }
  if (typeof reply.json === 'function' && typeof reply.status === 'function') {
    reply.status(status);
    reply.json(body); // Express
    return;
  }
  if (typeof reply.code === 'function' && typeof reply.send === 'function') {
    reply.code(status);
    reply.send(body); // Fastify
    return;
  }
  throw new Error('nestjs-identity: cannot answer on this HTTP platform (neither Express nor Fastify)');
}
