import { describe, expect, it } from '@jest/globals';
import {
  QueryFailedError,
  QueryRunnerAlreadyReleasedError,
  QueryRunnerProviderAlreadyReleasedError,
} from 'typeorm';
import { isDatabaseUnavailable } from './connection-errors.js';

const driverError = (message: string, code?: string) => Object.assign(new Error(message), { code });
const queryFailed = (error: Error) => new QueryFailedError('INSERT INTO t VALUES ($1)', ['x'], error);

describe(isDatabaseUnavailable.name, () => {
  it.each([
    ['pg_terminate_backend (57P01)', queryFailed(driverError('terminating connection', '57P01'))],
    ['a crashed server (57P02)', queryFailed(driverError('crash', '57P02'))],
    ['a server starting up (57P03)', driverError('the database system is starting up', '57P03')],
    ['a connection exception (08006)', queryFailed(driverError('connection failure', '08006'))],
    ['too many connections (53300)', driverError('sorry, too many clients already', '53300')],
    ['a broken socket', queryFailed(driverError('Connection terminated unexpectedly'))],
    [
      'a client that errored',
      queryFailed(driverError('Client has encountered a connection error and is not queryable')),
    ],
    ['a refused connect', driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    [
      'a refused connect to several addresses',
      new AggregateError([driverError('x', 'ECONNREFUSED')], 'all failed'),
    ],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a transaction whose connection broke', new QueryRunnerAlreadyReleasedError()],
    ['a query through a released runner', new QueryRunnerProviderAlreadyReleasedError()],
  ])('recognizes %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', queryFailed(driverError('duplicate key', '23505'))],
    ['a syntax error', queryFailed(driverError('syntax error', '42601'))],
    ['a serialization failure', queryFailed(driverError('could not serialize', '40001'))],
    ['SQLite’s busy database', queryFailed(driverError('database is locked', 'SQLITE_BUSY'))],
    ['an ordinary error', new Error('disk full')],
    ['a thrown string', 'Connection'],
    ['nothing', undefined],
  ])('does not take %s for a lost connection', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
