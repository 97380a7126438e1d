/** The parts of an Express request or a Fastify request that credential checks read. */
export interface CredentialRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: unknown;
  ip?: string;
  method?: string;
  socket?: { remoteAddress?: string };
}

const SCHEME = /^(?:(Token|Bearer)\s+)?(\S+)$/i;

/** A header's value; the first one when the header was sent more than once. */
export function headerValue(request: CredentialRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The credential in `Authorization: Token <t>` or `Bearer <t>` (either scheme, any case), or a bare
 * `Authorization: <t>` when `allowBare` (Dixa and Zaia send API keys that way). Undefined when the
 * header is missing or holds anything else (`Basic …`, more than one word after the scheme).
 */
export function readAuthorization(request: CredentialRequest, allowBare = false): string | undefined {
  const header = headerValue(request, 'authorization')?.trim();
  if (!header) {
    return undefined;
  }
  const match = SCHEME.exec(header);
  if (!match || (!match[1] && !allowBare)) {
    return undefined;
  }
  return match[2];
}

/** A credential in the query string (`?token=…`), for embeds that cannot send headers. */
export function readQueryCredential(request: CredentialRequest, parameter: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[parameter];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The client for the failed-credential limit: its address as the HTTP platform reports it. */
export function clientOf(request: CredentialRequest): string {
  return `ip:${request.ip ?? request.socket?.remoteAddress ?? 'unknown'}`;
}
