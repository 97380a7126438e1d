import { describe, expect, it } from '@jest/globals';
import { PasswordHasher, SCRYPT_PARAMETERS, ScryptPasswordHashing } from './password-hasher.js';

/** Small parameters for the behaviour specs; the production parameters are checked on their own. */
const fast = new ScryptPasswordHashing({ logN: 10, r: 8, p: 1 });

describe('ScryptPasswordHashing', () => {
  it('uses parameters at OWASP scrypt minimum strength: N=2^14, r=8, p=5 (16 MiB per hash)', async () => {
    expect(SCRYPT_PARAMETERS).toEqual({ logN: 14, r: 8, p: 5 });
    const memoryBytes = 128 * 2 ** SCRYPT_PARAMETERS.logN * SCRYPT_PARAMETERS.r;
    expect(memoryBytes).toBe(16 * 1024 * 1024);
    // OWASP's table: equal strength along N·p at r=8, from 2^17·1 down to 2^13·10.
    expect(2 ** SCRYPT_PARAMETERS.logN * SCRYPT_PARAMETERS.p).toBeGreaterThanOrEqual(2 ** 13 * 10);
    const encoded = await new ScryptPasswordHashing().hash('correct horse');
    expect(encoded).toMatch(/^\$scrypt\$ln=14,r=8,p=5\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
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
      encoded.replace('ln=10', 'ln=30'),
      encoded.replace('p=1', 'p=99'),
      encoded.slice(0, -30),
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    ]) {
      await expect(fast.verify(bad, 'secret-1')).resolves.toBe(false);
    }
  });

  it('flags hashes made with other parameters for rehashing', async () => {
    expect(fast.needsRehash(await fast.hash('x'))).toBe(false);
    expect(new ScryptPasswordHashing({ logN: 11, r: 8, p: 1 }).needsRehash(await fast.hash('x'))).toBe(true);
  });
});

describe(PasswordHasher.name, () => {
  class FastHasher extends PasswordHasher {
    protected override configure() {
      return [fast];
    }
  }

  it('checks a stored hash with the algorithm its string names, and refuses unknown algorithms', async () => {
    const sut = new FastHasher();
    const encoded = await sut.hash('secret-1');
    await expect(sut.verify(encoded, 'secret-1')).resolves.toBe(true);
    await expect(sut.verify(encoded.replace('$scrypt$', '$bcrypt$'), 'secret-1')).resolves.toBe(false);
    expect(sut.needsRehash(encoded)).toBe(false);
    expect(sut.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA')).toBe(true);
  });

  it('answers false for the dummy check whatever the password', async () => {
    const sut = new FastHasher();
    sut.onModuleInit();
    await expect(sut.verifyDummy('anything')).resolves.toBe(false);
    await expect(sut.verifyDummy('')).resolves.toBe(false);
  });
});
