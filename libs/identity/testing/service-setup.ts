import { expect } from '@jest/globals';
import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  IDENTITY_CLOCK,
  IDENTITY_ENTITIES,
  IDENTITY_MIGRATIONS,
  type IdentityClock,
  IdentityError,
  type IdentityErrorCode,
  IdentityModule,
  type IdentityModuleOptions,
  WorkspacesService,
} from '../src/index.js';

/** What a service spec works with: the service under test, any other provider, and one workspace. */
export interface ServiceSetup<T> {
  /** The service under test. */
  sut: T;
  /** Any other provider of the module (AuditService, WorkspacesService, DataSource…). */
  get<P>(type: Type<P>): P;
  /** A workspace created for this test. */
  workspaceId: string;
  module: TestingModule;
  /** Closes the module and with it the in-memory database. */
  close(): Promise<void>;
}

/** Test doubles `setup` puts in place of the module's own providers. */
export interface SetupDoubles {
  /** The clock expiry decisions read (`IDENTITY_CLOCK`), e.g. a `TestClock`. */
  clock?: IdentityClock;
}

/**
 * Boots `IdentityModule` on a fresh in-memory SQLite database with the real migrations, creates a
 * workspace and hands back the service under test. Library-internal test support for `*.spec.ts`.
 */
export async function setup<T>(
  sut: Type<T>,
  overrides: IdentityModuleOptions = {},
  doubles: SetupDoubles = {},
): Promise<ServiceSetup<T>> {
  const builder = Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        entities: IDENTITY_ENTITIES,
        migrations: IDENTITY_MIGRATIONS,
        migrationsRun: true,
        logging: false,
      }),
      IdentityModule.forRoot({ tokenSecret: 'x'.repeat(40), rateLimit: false, ...overrides }),
    ],
  });
  if (doubles.clock) {
    builder.overrideProvider(IDENTITY_CLOCK).useValue(doubles.clock);
  }
  const module = await builder.compile();
  await module.init();
  const workspace = await module.get(WorkspacesService).create('Test workspace');
  return {
    sut: module.get(sut),
    get: (type) => module.get(type),
    workspaceId: workspace.id,
    module,
    close: () => module.close(),
  };
}

/** Asserts that the promise rejects with an `IdentityError` of the given code. */
export async function expectIdentityError(promise: Promise<unknown>, code: IdentityErrorCode): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(IdentityError);
  await expect(promise).rejects.toMatchObject({ code });
}
