import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';

/**
 * Encrypts a token that the seed's API must hand out again (Explo's get-or-create returns the current
 * user-group token), with AES-256-GCM under a key derived from `tokenSecret`. Lookups still go by HMAC
 * hash; the sealed copy alone, without the module secret, reveals nothing. With a rotation list, values
 * are sealed under the first secret and values sealed under any of the others still open.
 */
@Injectable()
export class TokenSealer {
  private readonly keys: readonly Buffer[];

  constructor(@Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions) {
    this.keys = options.tokenSecrets.map((secret) =>
      createHmac('sha256', secret).update('nestjs-identity/token-sealing/v1').digest(),
    );
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, each part base64url, sealed under the current module secret. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or undefined when the value was sealed under none of the configured module secrets. */
  open(sealed: string): string | undefined {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) {
      return undefined;
    }
    for (const key of this.keys) {
      const plaintext = openWith(key, iv, tag, ciphertext);
      if (plaintext !== undefined) {
        return plaintext;
      }
    }
    return undefined;
  }
}

/** GCM's tag check refuses any key but the sealing one, so a wrong key gives undefined, never garbage. */
function openWith(key: Buffer, iv: string, tag: string, ciphertext: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
