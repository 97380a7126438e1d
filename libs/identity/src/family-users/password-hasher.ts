import { randomBytes, scrypt as scryptCallback, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/**
 * One password hashing algorithm, writing self-describing PHC-style strings (`$<id>$<params>$<salt>$<hash>`)
 * so stored hashes say how to check them and an algorithm can be replaced without losing old hashes.
 */
export interface PasswordHashing {
  /** The PHC identifier this algorithm writes and reads (`scrypt`, `argon2id`). */
  readonly id: string;
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a string this algorithm cannot read; never throws for either. */
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` was made with weaker (or other) parameters than this algorithm now uses. */
  needsRehash(encoded: string): boolean;
}

/** scrypt cost parameters: `N = 2^logN`, block size `r`, parallelism `p`. */
export interface ScryptParameters {
  logN: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet lists scrypt settings of equal strength as its minimum:
 * N=2^17/r=8/p=1 … N=2^14/r=8/p=5 … N=2^13/r=8/p=10. This takes N=2^14, r=8, p=5: 16 MiB per hash,
 * inside Node's default `maxmem`, at the listed minimum strength.
 */
export const SCRYPT_PARAMETERS: Readonly<ScryptParameters> = { logN: 14, r: 8, p: 5 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on parameters read back from a stored string, so a tampered row cannot make a check hang. */
const MAX = { logN: 20, r: 32, p: 64 };
const ENCODED = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, keyLength, options, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function scryptOptions({ logN, r, p }: ScryptParameters): ScryptOptions {
  const N = 2 ** logN;
  return { N, r, p, maxmem: 128 * N * r + 1024 * 1024 };
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** scrypt from `node:crypto` (no native add-on needed). */
export class ScryptPasswordHashing implements PasswordHashing {
  readonly id = 'scrypt';

  constructor(readonly parameters: Readonly<ScryptParameters> = SCRYPT_PARAMETERS) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await scrypt(password, salt, KEY_BYTES, scryptOptions(this.parameters));
    const { logN, r, p } = this.parameters;
    return `$scrypt$ln=${logN},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    const parsed = this.parse(encoded);
    if (!parsed) {
      return false;
    }
    const key = await scrypt(password, parsed.salt, parsed.key.length, scryptOptions(parsed.parameters));
    return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  }

  needsRehash(encoded: string): boolean {
    const parsed = this.parse(encoded);
    const { logN, r, p } = this.parameters;
    return (
      !parsed || parsed.parameters.logN !== logN || parsed.parameters.r !== r || parsed.parameters.p !== p
    );
  }

  private parse(encoded: string) {
    const match = ENCODED.exec(encoded);
    if (!match) {
      return undefined;
    }
    const parameters = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
    if (
      parameters.logN < 1 ||
      parameters.logN > MAX.logN ||
      parameters.r < 1 ||
      parameters.r > MAX.r ||
      parameters.p < 1 ||
      parameters.p > MAX.p
    ) {
      return undefined;
    }
    const salt = Buffer.from(match[4], 'base64');
    const key = Buffer.from(match[5], 'base64');
    return key.length >= 16 ? { parameters, salt, key } : undefined;
  }
}

/**
 * Hashes and checks family-user passwords. New hashes use the first algorithm; stored hashes are checked
 * by the algorithm their string names. The design asks for argon2id (`@node-rs/argon2`); until that
 * package is a dependency this uses scrypt at OWASP's minimum, and an `Argon2idPasswordHashing` goes
 * first in the list when it lands (old scrypt hashes keep verifying, `needsRehash` flags them).
 * A host may replace this provider with a subclass passing its own algorithms.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummy: Promise<string> | undefined;
  private readonly algorithms: readonly PasswordHashing[];

  constructor() {
    this.algorithms = this.configure();
  }

  /** Makes the dummy hash at start-up, so the first unknown-username login costs no more than the others. */
  onModuleInit(): void {
    this.dummyHash().catch(() => undefined);
  }

  /** The algorithms, the one that hashes first; override to swap or add one. */
  protected configure(): PasswordHashing[] {
    return [new ScryptPasswordHashing()];
  }

  /** The algorithm new hashes are made with. */
  get current(): PasswordHashing {
    return this.algorithms[0];
  }

  hash(password: string): Promise<string> {
    return this.current.hash(password);
  }

  /** True when `password` matches `encoded`; false for a mismatch or an unreadable hash. */
  async verify(encoded: string, password: string): Promise<boolean> {
    const algorithm = this.algorithms.find((a) => encoded.startsWith(`$${a.id}$`));
    return algorithm ? algorithm.verify(encoded, password) : false;
  }

  /** True when a stored hash should be replaced by a fresh one (another algorithm, older parameters). */
  needsRehash(encoded: string): boolean {
    return !encoded.startsWith(`$${this.current.id}$`) || this.current.needsRehash(encoded);
  }

  /**
   * Spends what checking a real password costs, against a hash of a random password, and answers false:
   * for logins whose username is unknown, so they take as long as a wrong password does.
   */
  async verifyDummy(password: string): Promise<false> {
    await this.current.verify(await this.dummyHash(), password);
    return false;
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.current.hash(randomBytes(16).toString('hex'));
    return this.dummy;
  }
}
