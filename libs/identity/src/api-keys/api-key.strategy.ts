import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { API_KEY_STRATEGY } from '../identity.constants.js';
import { clientOf, type CredentialRequest } from '../common/http/credential-request.js';
import { readApiKeyCredential } from './api-key-credential.js';
import { type ApiKeyPrincipal, ApiKeysService } from './api-keys.service.js';

/**
 * The workspace API key as a passport strategy, for hosts that compose passport strategies
 * (`AuthGuard('identity-api-key')`): import it from `nestjs-identity/passport` and add it to your module's
 * providers (it needs `@nestjs/passport` and `passport`, which only this entry uses). It authenticates keys
 * as `ApiKeyGuard` does (same verifier, cache and failure limit) but applies neither the key's scope nor
 * the per-key rate limit: use `@ApiKeyAuth()` for those. The module's own routes use `ApiKeyGuard`, which
 * skips passport's per-request machinery. It registers on passport's global instance, the one
 * `AuthGuard` looks strategies up in (so in a process with several apps, the last one created answers).
 */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, API_KEY_STRATEGY) {
  constructor(private readonly apiKeys: ApiKeysService) {
    super();
  }

  async validate(request: CredentialRequest): Promise<ApiKeyPrincipal> {
    const credential = readApiKeyCredential(request.headers);
    return this.apiKeys.authenticate(credential.secret, {
      apiId: credential.apiId,
      apiUser: credential.apiUser,
      client: clientOf(request),
    });
  }
}
