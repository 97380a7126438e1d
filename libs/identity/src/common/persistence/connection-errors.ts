import { QueryFailedError } from 'typeorm';

/**
 * PostgreSQL SQLSTATEs that say the server or the connection went away, not that the statement was
 * wrong: class 08 (connection exception), 57P01–57P03 (terminated by an administrator, crash, not
 * accepting connections yet), 53300 (too many connections).
 */
const UNAVAILABLE_SQLSTATES = /^(08\w{3}|57P0[123]|53300)$/;

/** Socket errors of a connection that was refused, reset or timed out (Node's `code`). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** node-postgres' own words for a connection that broke or could not be made (its errors carry no code). */
const DRIVER_MESSAGES =
  /Connection terminated|connection error and is not queryable|Client was closed and is not queryable|timeout exceeded when trying to connect/i;

/**
 * TypeORM's errors for a query on a connection it already gave back: on PostgreSQL that happens when
 * the connection broke mid-transaction (the driver drops a client that errored), so the next statement
 * of the transaction finds its runner released.
 */
const RELEASED_RUNNER_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

function isLostConnection(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.test(code) || SOCKET_CODES.has(code))) {
    return true;
  }
  if (typeof name === 'string' && RELEASED_RUNNER_ERRORS.has(name)) {
    return true;
  }
  return typeof message === 'string' && DRIVER_MESSAGES.test(message);
}

/**
 * True when a database call failed because the database could not be reached or dropped the
 * connection (a restart, a failover, `pg_terminate_backend`), as a query error (TypeORM's
 * `QueryFailedError` around the driver's) or as a connect error. Such a failure is transient: the
 * transaction it hit was rolled back by the server, and a later call gets a fresh connection.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof QueryFailedError) {
    return isLostConnection(err.driverError) || isLostConnection(err);
  }
  if (err instanceof AggregateError) {
    return err.errors.some(isLostConnection) || isLostConnection(err);
  }
  return isLostConnection(err);
}

/** How long a client is told to wait (`Retry-After`) after the database was unreachable: a restart's time. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
