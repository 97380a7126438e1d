import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_LENGTH = 6;

/** Encodes bytes as base62 (big-endian), keeping leading zero bytes as '0's so the length stays stable. */
export function base62(bytes: Uint8Array): string {
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 8n) | BigInt(byte);
  }
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)] + out;
    value /= 62n;
  }
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) {
    out = '0' + out;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) of a string's UTF-8 bytes. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

/**
 * Mints `<prefix>_<random base62><6-char CRC-32 checksum>`: the prefix names the kind of secret and the
 * checksum lets scanners and the module itself reject a mistyped or truncated token without a lookup.
 */
export function mintToken(prefix: string, randomByteCount: number): string {
  const body = `${prefix}_${base62(randomBytes(randomByteCount))}`;
  return body + checksum(body);
}

/** True when the token has the given prefix, only base62 after it, and a checksum that matches. */
export function isWellFormedToken(token: string, prefix: string): boolean {
  const head = `${prefix}_`;
  if (!token.startsWith(head) || token.length <= head.length + CHECKSUM_LENGTH || token.length > 200) {
    return false;
  }
  const rest = token.slice(head.length);
  if (!/^[0-9A-Za-z]+$/.test(rest)) {
    return false;
  }
  const body = token.slice(0, token.length - CHECKSUM_LENGTH);
  return checksum(body) === token.slice(-CHECKSUM_LENGTH);
}
