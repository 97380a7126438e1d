import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { expectIdentityError, type ServiceSetup, setup } from '../../testing/service-setup.js';
import { ApiKeysService } from './api-keys.service.js';

type KeyLoader = (hashes: readonly string[]) => Promise<unknown>;

/**
 * Holds the key lookup of `authenticate` after the database answered and before the answer reaches the
 * verifier, by wrapping the service's loader (the writes of `revoke` pass untouched).
 */
function holdKeyLookups(service: ApiKeysService) {
  const seam = service as unknown as { loadKey: KeyLoader };
  const load = seam.loadKey;
  let answered: () => void = () => undefined;
  const lookupAnswered = new Promise<void>((resolve) => (answered = resolve));
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let lookups = 0;
  seam.loadKey = async (hashes) => {
    const stored = await load(hashes);
    lookups++;
    answered();
    await released;
    return stored;
  };
  return { lookupAnswered, release, lookups: () => lookups };
}

describe(`${ApiKeysService.name} revoke racing an in-flight check`, () => {
  let ctx: ServiceSetup<ApiKeysService>;
  let sut: ApiKeysService;
  let workspaceId: string;

  beforeEach(async () => {
    ctx = await setup(ApiKeysService);
    ({ sut, workspaceId } = ctx);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  it('leaves no cached "valid" verdict when the revoke commits between the lookup and its return', async () => {
    const { apiKey, secret } = await sut.create(workspaceId, { scope: 'read' });
    const hold = holdKeyLookups(sut);

    const check = sut.authenticate(secret);
    await hold.lookupAnswered; // the row was read while the key was live
    await sut.revoke(workspaceId, apiKey.id);
    hold.release();

    await expect(check).resolves.toMatchObject({ apiKeyId: apiKey.id }); // it read the key before the revoke
    await expectIdentityError(sut.authenticate(secret), IdentityErrorCode.Unauthenticated);
    expect(hold.lookups()).toBe(2); // the second check read the database, not a cached verdict
  });

  it('caches a verdict when nothing was invalidated meanwhile, so the seam itself holds nothing back', async () => {
    const { secret } = await sut.create(workspaceId, {});
    const hold = holdKeyLookups(sut);
    hold.release();

    await sut.authenticate(secret);
    await sut.authenticate(secret);

    expect(hold.lookups()).toBe(1);
  });
});
