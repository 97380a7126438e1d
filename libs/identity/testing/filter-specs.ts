import { afterEach, beforeEach, describe, jest } from '@jest/globals';
import { type ExceptionFilter, Logger } from '@nestjs/common';
import { FakeExpressResponse, FakeFastifyReply, httpContext } from './http-fakes.js';

/** The two platforms' response fakes, by name: a filter must answer alike on both. */
export const RESPONSE_PLATFORMS = [
  ['Express', () => new FakeExpressResponse()],
  ['Fastify', () => new FakeFastifyReply()],
] as const;

/** A response fake of either platform, as a filter spec reads it (status, body, headers). */
export type FakeResponse = FakeExpressResponse | FakeFastifyReply;

/**
 * Silences `Logger.error` around each test of the enclosing block (filters log unexpected errors) and
 * returns the spy's getter, for tests that check what was logged.
 */
export function silenceLoggedErrors(): () => jest.SpiedFunction<Logger['error']> {
  let logged: jest.SpiedFunction<Logger['error']> | undefined;
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    logged?.mockRestore();
    logged = undefined;
  });
  return () => {
    if (!logged) {
      throw new Error('silenceLoggedErrors(): the spy exists only inside tests');
    }
    return logged;
  };
}

/**
 * One `describe('on <platform>')` block per platform; `body` gets `answer(exception)`: the platform's
 * response fake after a fresh `makeFilter()` caught the exception.
 */
export function describeOnEachPlatform(
  makeFilter: () => ExceptionFilter,
  body: (answer: (exception: unknown) => FakeResponse) => void,
): void {
  for (const [platform, make] of RESPONSE_PLATFORMS) {
    describe(`on ${platform}`, () => {
      body((exception) => {
        const response = make();
        makeFilter().catch(exception, httpContext({ response }));
        return response;
      });
    });
  }
}
