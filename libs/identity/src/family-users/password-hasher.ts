import { randomBytes } from 'node:crypto';
import * as argon2 from '@node-rs/argon2';
import { Injectable, type OnModuleInit } from '@nestjs/common';

/**
 * One password hashing algorithm, writing self-describing PHC-style strings (`$<id>$<params>$<salt>$<hash>`)
 * so stored hashes say how to check them and an algorithm can be replaced without losing old hashes.
 */
export interface PasswordHashing {
  /** The PHC identifier this algorithm writes and reads (`argon2id`, `bcrypt`…). */
  readonly id: string;
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a string this algorithm cannot read; never throws for either. */
  verify(encoded: string, password: string): Promise<boolean>;
  /** True when `encoded` was made with weaker (or other) parameters than this algorithm now uses. */
  needsRehash(encoded: string): boolean;
}

/** argon2id cost parameters: memory in KiB, iterations, lanes. */
export interface Argon2idParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * OWASP's Password Storage Cheat Sheet minimum for argon2id: 19 MiB of memory, 2 iterations, 1 lane
 * (m=19456, t=2, p=1).
 */
export const ARGON2ID_PARAMETERS: Readonly<Argon2idParameters> = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** Bounds on parameters read back from a stored string, so a tampered row cannot make a check hang. */
const MAX = { memoryCost: 262_144, timeCost: 10, parallelism: 8 };
const ENCODED =
  /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,3})\$[A-Za-z0-9+/]{16,}\$[A-Za-z0-9+/]{22,}$/;

/** argon2id through `@node-rs/argon2` (prebuilt binaries from npm; no compiler needed). */
export class Argon2idPasswordHashing implements PasswordHashing {
  readonly id = 'argon2id';

  constructor(readonly parameters: Readonly<Argon2idParameters> = ARGON2ID_PARAMETERS) {}

  hash(password: string): Promise<string> {
    // argon2id is the package's default algorithm (its `Algorithm` is a const enum, gone at run time);
    // the spec checks the stored string names it.
    return argon2.hash(password.normalize('NFC'), { ...this.parameters });
  }

  async verify(encoded: string, password: string): Promise<boolean> {
    if (!this.parse(encoded)) {
      return false;
    }
    try {
      return await argon2.verify(encoded, password.normalize('NFC'));
    } catch {
      return false;
    }
  }

  needsRehash(encoded: string): boolean {
    const parsed = this.parse(encoded);
    const { memoryCost, timeCost, parallelism } = this.parameters;
    return (
      !parsed ||
      parsed.memoryCost !== memoryCost ||
      parsed.timeCost !== timeCost ||
      parsed.parallelism !== parallelism
    );
  }

  private parse(encoded: string): Argon2idParameters | undefined {
    const match = ENCODED.exec(encoded);
    if (!match) {
      return undefined;
    }
    const parsed = {
      memoryCost: Number(match[1]),
      timeCost: Number(match[2]),
      parallelism: Number(match[3]),
    };
    const inBounds =
      parsed.memoryCost >= 8 * parsed.parallelism &&
      parsed.memoryCost <= MAX.memoryCost &&
      parsed.timeCost >= 1 &&
      parsed.timeCost <= MAX.timeCost &&
      parsed.parallelism >= 1 &&
      parsed.parallelism <= MAX.parallelism;
    return inBounds ? parsed : undefined;
  }
}

/**
 * Hashes and checks family-user passwords. New hashes use the first algorithm; stored hashes are checked
 * by the algorithm their string names: argon2id at OWASP's minimum by default. A host may replace this
 * provider with a subclass passing its own algorithms (older ones after the current, so their hashes
 * keep verifying and `needsRehash` flags them).
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
    return [new Argon2idPasswordHashing()];
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
