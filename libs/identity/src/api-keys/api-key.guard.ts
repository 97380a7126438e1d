import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { ApiKeyScope } from './api-key.entity.js';
import type { ApiKeyPrincipal } from './api-keys.service.js';
import { REQUIRE_SCOPE_KEY, SKIP_RATE_LIMIT_KEY } from '../identity.constants.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { ApiKeyStrategy } from './api-key.strategy.js';
import { authenticateWith } from './passport-authenticate.js';

/** The request as the module's guards leave it. */
export interface IdentityRequest extends Request {
  identity?: ApiKeyPrincipal;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admits requests carrying a valid workspace API key (any seed header style), then enforces scope
 * (`read` keys only on GET routes, or `@RequireScope()`) and the per-key rate limit.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly strategy: ApiKeyStrategy,
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<IdentityRequest>();
    const response = http.getResponse<Response>();
    const principal = await authenticateWith<ApiKeyPrincipal>(this.strategy, request, response);
    request.identity = principal;

    const targets = [context.getHandler(), context.getClass()];
    const required =
      this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRE_SCOPE_KEY, targets) ??
      (READ_METHODS.has(request.method) ? 'read' : 'write');
    if (required === 'write' && principal.scope !== 'write') {
      throw IdentityError.forbidden('This API key is read-only; this call needs a read-write key.');
    }
    if (!this.reflector.getAllAndOverride<boolean | undefined>(SKIP_RATE_LIMIT_KEY, targets)) {
      await this.rateLimiter.consume(`api-key:${principal.apiKeyId}`, response);
    }
    return true;
  }
}
