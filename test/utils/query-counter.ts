import type { DataSource } from 'typeorm';

/**
 * Counts the queries a data source runs until `stop()`: its TypeORM logger sees every one, the lean
 * lookups that go straight to the driver included. With `matching`, only queries whose SQL matches.
 */
export function countQueries(dataSource: DataSource, matching?: RegExp): { count(): number; stop(): void } {
  const logger = dataSource.logger;
  const logQuery = logger.logQuery.bind(logger);
  let count = 0;
  logger.logQuery = (...args: Parameters<typeof logQuery>) => {
    if (!matching || matching.test(args[0])) {
      count++;
    }
    return logQuery(...args);
  };
  return { count: () => count, stop: () => (logger.logQuery = logQuery) };
}

/** The number of queries (matching `matching`, if given) the data source runs while `call` runs. */
export async function queriesDuring(
  dataSource: DataSource,
  call: () => Promise<unknown>,
  matching?: RegExp,
): Promise<number> {
  const counter = countQueries(dataSource, matching);
  try {
    await call();
  } finally {
    counter.stop();
  }
  return counter.count();
}
