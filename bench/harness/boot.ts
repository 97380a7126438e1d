import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IdentityModuleOptions } from '../../libs/identity/src/index.js';
import { AppModule } from '../../src/app.module.js';
import type { DatabaseConfig } from '../../src/config.js';

/** The secret every benchmark host signs with (processes of one run must share it). */
export const BENCH_TOKEN_SECRET = 'bench-token-secret-'.padEnd(48, 'x');

/** The demo host's module without HTTP, for scenarios timing service calls; rate limit off. */
export function bootContext(
  database: DatabaseConfig,
  identity: Partial<IdentityModuleOptions> = {},
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    AppModule.register({
      database,
      port: 0,
      databaseLogging: false,
      identity: { tokenSecret: BENCH_TOKEN_SECRET, rateLimit: false, ...identity },
    }),
    { logger: ['error'] },
  );
}
