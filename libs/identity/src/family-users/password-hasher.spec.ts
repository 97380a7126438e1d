import { describe, expect, it } from '@jest/globals';
import { ARGON2ID_PARAMETERS, Argon2idPasswordHashing, PasswordHasher } from './password-hasher.js';

/** Small parameters for the behaviour specs; the production parameters are checked on their own. */
const fast = new Argon2idPasswordHashing({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

describe('Argon2idPasswordHashing', () => {
  it("uses argon2id at OWASP's minimum: 19 MiB, 2 iterations, 1 lane", async () => {
    expect(ARGON2ID_PARAMETERS).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(ARGON2ID_PARAMETERS.memoryCost * 1024).toBe(19 * 1024 * 1024);
    const encoded = await new Argon2idPasswordHashing().hash('correct horse');
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await fast.hash('secret-1');
    await expect(fast.verify(encoded, 'secret-1')).resolves.toBe(true);
    await expect(fast.verify(encoded, 'secret-2')).resolves.toBe(false);
    await expect(fast.verify(encoded, '')).resolves.toBe(false);
  });

  it('salts every hash, so one password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([fast.hash('same'), fast.hash('same')]);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same');
  });

  it('treats canonically equal Unicode spellings of a password as one password', async () => {
    const encoded = await fast.hash('Caf\u00e9!');
    await expect(fast.verify(encoded, 'Cafe\u0301!')).resolves.toBe(true);
  });

  it('answers false, without throwing, for strings it cannot read or parameters out of bounds', async () => {
    const encoded = await fast.hash('secret-1');
    for (const bad of [
      '',
      'plain',
      encoded.replace('m=1024', 'm=9999999'),
      encoded.replace('t=1', 't=999'),
      encoded.slice(0, -30),
      encoded.replace('$argon2id$', '$argon2i$'),
      '$scrypt$ln=14,r=8,p=5$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
    ]) {
      await expect(fast.verify(bad, 'secret-1')).resolves.toBe(false);
    }
  });

  it('flags hashes made with other parameters for rehashing', async () => {
    expect(fast.needsRehash(await fast.hash('x'))).toBe(false);
    const stronger = new Argon2idPasswordHashing({ memoryCost: 2048, timeCost: 1, parallelism: 1 });
    expect(stronger.needsRehash(await fast.hash('x'))).toBe(true);
  });
});

describe(PasswordHasher.name, () => {
  class FastHasher extends PasswordHasher {
    protected override configure() {
      return [fast];
    }
  }

  it('hashes with argon2id by default', async () => {
    expect(new PasswordHasher().current.id).toBe('argon2id');
  });

  it('checks a stored hash with the algorithm its string names, and refuses unknown algorithms', async () => {
    const sut = new FastHasher();
    const encoded = await sut.hash('secret-1');
    await expect(sut.verify(encoded, 'secret-1')).resolves.toBe(true);
    await expect(sut.verify(encoded.replace('$argon2id$', '$bcrypt$'), 'secret-1')).resolves.toBe(false);
    expect(sut.needsRehash(encoded)).toBe(false);
    expect(sut.needsRehash('$scrypt$ln=14,r=8,p=5$c2FsdA$aGFzaA')).toBe(true);
  });

  it('answers false for the dummy check whatever the password', async () => {
    const sut = new FastHasher();
    sut.onModuleInit();
    await expect(sut.verifyDummy('anything')).resolves.toBe(false);
    await expect(sut.verifyDummy('')).resolves.toBe(false);
  });
});
