import type { Request, Response } from 'express';
import passport from 'passport';
import type { Strategy } from 'passport';
import { IdentityError } from '../common/errors/identity-error.js';

const runner = new passport.Passport();

/**
 * Runs one passport strategy instance for one request and resolves with the user it validated.
 * Passport stores its per-request callbacks on the strategy object, so each request gets its own
 * object derived from the shared instance; concurrent requests never see each other's callbacks.
 */
export function authenticateWith<T>(strategy: Strategy, request: Request, response: Response): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const perRequest = Object.create(strategy) as Strategy;
    const middleware = runner.authenticate(
      perRequest,
      { session: false },
      (err: unknown, user: T | false) => {
        if (err) {
          reject(err);
        } else if (!user) {
          reject(IdentityError.unauthenticated());
        } else {
          resolve(user);
        }
      },
    ) as (req: Request, res: Response, next: (err?: unknown) => void) => void;
    middleware(request, response, (err?: unknown) => reject(err ?? IdentityError.unauthenticated()));
  });
}
