// nestjs-identity/testing: helpers for a host's own unit specs (no test framework needed).
export { TestClock } from './test-clock.js';
export {
  FakeExpressResponse,
  FakeFastifyReply,
  FakeServerResponse,
  fakeRequest,
  httpContext,
  plainRoute,
  routeOf,
  type FakeRequest,
  type FakeRoute,
} from './http-fakes.js';
