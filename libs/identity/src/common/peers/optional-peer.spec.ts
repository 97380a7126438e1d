import { describe, expect, it } from '@jest/globals';
import { importOptionalPeer, loadOptionalPeer, requireOptionalPeer } from './optional-peer.js';

const MISSING = 'nestjs-identity-surely-not-installed';

describe('optional peers', () => {
  it('answers undefined for a package the host has not installed', async () => {
    expect(loadOptionalPeer(MISSING)).toBeUndefined();
    await expect(importOptionalPeer(MISSING)).resolves.toBeUndefined();
  });

  it('loads an installed package', async () => {
    expect(loadOptionalPeer<{ Client: unknown }>('pg')?.Client).toBeDefined();
    expect(
      (await importOptionalPeer<{ ApiProperty: unknown }>('@nestjs/swagger'))?.ApiProperty,
    ).toBeDefined();
  });

  it('says which package to install when an option needs a missing one', () => {
    expect(() => requireOptionalPeer(MISSING, 'the redisUrl option')).toThrow(
      `nestjs-identity: the redisUrl option needs the package '${MISSING}': npm install ${MISSING}`,
    );
  });
});
