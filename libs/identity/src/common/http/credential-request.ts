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

/**
 * The client for the failed-credential limit: its address as the HTTP platform reports it (behind a
 * proxy, set Express's `trust proxy` or Fastify's `trustProxy` to the number of hops, so this is the
 * client's address and not the proxy's). An IPv6 address counts by its /64, which one host usually
 * holds whole; an IPv4-mapped IPv6 address counts as the IPv4 address.
 */
export function clientOf(request: CredentialRequest): string {
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  return `ip:${address.includes(':') ? ipv6Network(address) : address}`;
}

/** `2001:db8:1:2::7` → `2001:db8:1:2::/64`; `::ffff:198.51.100.7` → `198.51.100.7`. */
function ipv6Network(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) {
    return mapped[1];
  }
  const [head, tail = ''] = address.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
