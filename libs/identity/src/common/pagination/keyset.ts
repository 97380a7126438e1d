import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IdentityError } from '../errors/identity-error.js';
import { isUuid } from '../persistence/persistence.js';
import { sqlValue } from '../persistence/bulk-statements.js';
import { TokenHasher } from '../tokens/token-hasher.js';

/** Where a row sits in a `(createdAt, id)` order: the keyset of every list the module pages. */
export interface KeysetPosition {
  /** Epoch milliseconds. */
  createdAt: number;
  id: string;
}

/**
 * Which page to read: the first one, the rows after a position (forwards) or the rows before it
 * (backwards). Rows always come back in ascending `(createdAt, id)` order.
 */
export interface KeysetPageRequest {
  limit: number;
  after?: KeysetPosition;
  before?: KeysetPosition;
}

/** One page of rows, and where the neighbouring pages start (absent when there is none). */
export interface KeysetPage<T> {
  items: T[];
  next?: KeysetPosition;
  previous?: KeysetPosition;
}

/** The SQL of one keyset page: a condition to AND into the WHERE clause, its parameters, the order and the limit. */
export interface KeysetSql {
  condition: string;
  params: unknown[];
  orderBy: string;
  /** Rows to fetch: one more than the page, to learn whether another page follows. */
  fetch: number;
}

/**
 * The condition and order of a keyset page over `(created_at, id)` columns, as a row-value comparison an
 * index on `(…, created_at, id)` answers with a range scan, never an OFFSET. `firstParam` is the number
 * of the first placeholder on PostgreSQL (placeholders before it belong to the caller).
 */
export function keysetSql(
  postgres: boolean,
  request: KeysetPageRequest,
  firstParam: number,
  columns: { createdAt: string; id: string } = { createdAt: 'created_at', id: 'id' },
): KeysetSql {
  const position = request.after ?? request.before;
  const backwards = request.before !== undefined;
  const direction = backwards ? 'DESC' : 'ASC';
  const orderBy = `${columns.createdAt} ${direction}, ${columns.id} ${direction}`;
  if (!position) {
    return { condition: '1 = 1', params: [], orderBy, fetch: request.limit + 1 };
  }
  const [t, i] = postgres ? [`$${firstParam}::timestamptz`, `$${firstParam + 1}::uuid`] : ['?', '?'];
  return {
    condition: `(${columns.createdAt}, ${columns.id}) ${backwards ? '<' : '>'} (${t}, ${i})`,
    params: [sqlValue(postgres, 'instant', position.createdAt), position.id],
    orderBy,
    fetch: request.limit + 1,
  };
}

/**
 * Turns the fetched rows (in the order `keysetSql` asked for, one more than the page at most) into a
 * page in ascending order with the positions of its neighbours.
 */
export function keysetPage<T>(
  rows: T[],
  request: KeysetPageRequest,
  positionOf: (row: T) => KeysetPosition,
): KeysetPage<T> {
  const more = rows.length > request.limit;
  const items = rows.slice(0, request.limit);
  if (request.before) {
    items.reverse();
  }
  if (items.length === 0) {
    return { items };
  }
  const first = positionOf(items[0]);
  const last = positionOf(items[items.length - 1]);
  if (request.before) {
    return { items, previous: more ? first : undefined, next: last };
  }
  return { items, next: more ? last : undefined, previous: request.after ? first : undefined };
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const MAC_HEX_LENGTH = 32; // 128 bits

/**
 * Opaque page keys (`pageKey`): the position and direction of a page, base64url-encoded with a MAC
 * under the module's token secret, bound to one list (its `scope`: workspace, filters, owner). A key
 * that was altered, made up, or minted for another list or workspace is refused as a 400 naming
 * `pageKey`, never reaching a query.
 */
@Injectable()
export class PageKeys {
  constructor(private readonly hasher: TokenHasher) {}

  /** The key of the page after (`next`) or before (`previous`) `position` in the list `scope`. */
  encode(scope: string, direction: 'next' | 'previous', position: KeysetPosition): string {
    const payload = `${direction === 'next' ? 'n' : 'p'}.${position.createdAt.toString(36)}.${position.id}`;
    return Buffer.from(`${payload}.${this.mac(scope, payload)}`, 'utf8').toString('base64url');
  }

  /** The page a key asks for, or a validation error if it is not a key of the list `scope`. */
  decode(scope: string, pageKey: string, limit: number): KeysetPageRequest {
    const refused = IdentityError.validation(
      'pageKey: is not a page key of this list; follow the meta.next or meta.previous URL as given',
      ['pageKey'],
    );
    if (!BASE64URL.test(pageKey) || pageKey.length > 200) {
      throw refused;
    }
    const text = Buffer.from(pageKey, 'base64url').toString('utf8');
    const parts = text.split('.');
    if (parts.length !== 4 || Buffer.from(text, 'utf8').toString('base64url') !== pageKey) {
      throw refused;
    }
    const [direction, time, id, mac] = parts;
    const payload = `${direction}.${time}.${id}`;
    if (!this.macMatches(scope, payload, mac)) {
      throw refused;
    }
    const createdAt = parseInt(time, 36);
    if ((direction !== 'n' && direction !== 'p') || !Number.isSafeInteger(createdAt) || !isUuid(id)) {
      throw refused;
    }
    const position = { createdAt, id };
    return direction === 'n' ? { limit, after: position } : { limit, before: position };
  }

  private mac(scope: string, payload: string): string {
    return this.hasher.hash(macInput(scope, payload)).slice(0, MAC_HEX_LENGTH);
  }

  /** Constant-time check under every configured secret, so keys survive a secret rotation. */
  private macMatches(scope: string, payload: string, mac: string): boolean {
    if (!/^[0-9a-f]+$/.test(mac) || mac.length !== MAC_HEX_LENGTH) {
      return false;
    }
    const presented = Buffer.from(mac, 'hex');
    let found = false;
    for (const hash of this.hasher.hashes(macInput(scope, payload))) {
      found = timingSafeEqual(Buffer.from(hash.slice(0, MAC_HEX_LENGTH), 'hex'), presented) || found;
    }
    return found;
  }
}

function macInput(scope: string, payload: string): string {
  return `identity-page-key\n${scope}\n${payload}`;
}
