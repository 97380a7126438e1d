import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  IdentityModule,
  type IdentityModuleExtras,
  type IdentityModuleOptions,
} from '../libs/identity/src/index.js';
import { createDemoApp } from '../src/bootstrap.js';
import { generateOpenApiDocument, openApiDocument } from '../src/openapi.js';
import { TEST_TOKEN_SECRET } from './utils/test-app.js';

/*
 * `npm run openapi`'s document: valid OpenAPI, and listing every route Nest mounted (collected from the
 * controllers' metadata, not from a hand-written list). Independent of the database: runs on the SQLite leg.
 */
const RUN_ONCE = (process.env.IDENTITY_DB ?? 'sqlite') === 'sqlite';
const describeOnce = RUN_ONCE ? describe : describe.skip;

interface MountedRoute {
  method: string;
  path: string;
  identity: boolean;
}

const joinPath = (...parts: (string | string[] | undefined)[]) =>
  `/${parts
    .map((part) => (Array.isArray(part) ? part[0] : part) ?? '')
    .join('/')
    .split('/')
    .filter(Boolean)
    .join('/')}`.replace(/:(\w+)/g, '{$1}');

/** Every route of every controller of the app, from the metadata Nest's router reads. */
function mountedRoutes(app: INestApplication): MountedRoute[] {
  const routes: MountedRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    const identity = module.metatype === IdentityModule;
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      let prototype = controller.prototype as object;
      const seen = new Set<string>();
      while (prototype && prototype !== Object.prototype) {
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = (prototype as Record<string, unknown>)[name];
          if (name === 'constructor' || seen.has(name) || typeof handler !== 'function') {
            continue;
          }
          seen.add(name);
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
          if (method === undefined || path === undefined) {
            continue;
          }
          routes.push({ method: RequestMethod[method].toLowerCase(), path: joinPath(base, path), identity });
        }
        prototype = Object.getPrototypeOf(prototype) as object;
      }
    }
  }
  return routes;
}

async function bootDemo(
  identity: Partial<IdentityModuleOptions> & IdentityModuleExtras = {},
): Promise<INestApplication> {
  const app = await createDemoApp(
    {
      database: { type: 'sqlite', path: ':memory:' },
      identity: { tokenSecret: TEST_TOKEN_SECRET, ...identity } as IdentityModuleOptions,
      port: 0,
      databaseLogging: false,
    },
    ['error'],
  );
  await app.init();
  return app;
}

/**
 * Validates with @apidevtools/swagger-parser in a separate Node process: it is CommonJS that requires an
 * ES module, which Node 20.19+ allows and Jest's module runtime does not.
 */
async function validateOpenApi(document: OpenAPIObject): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const script =
      "const { default: parser } = await import('@apidevtools/swagger-parser');" +
      'await parser.validate(process.argv[1]); console.log("valid");';
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script, file],
      {
        cwd: process.cwd(),
      },
    );
    return stdout.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const documented = (document: OpenAPIObject, route: MountedRoute) =>
  (document.paths[route.path] as Record<string, unknown> | undefined)?.[route.method] as
    { tags?: string[]; responses: Record<string, { content?: unknown }>; security?: unknown[] } | undefined;

describeOnce('OpenAPI document (npm run openapi)', () => {
  let app: INestApplication;
  let document: OpenAPIObject;
  let routes: MountedRoute[];

  beforeAll(async () => {
    document = await generateOpenApiDocument();
    app = await bootDemo();
    routes = mountedRoutes(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is a valid OpenAPI document', async () => {
    await expect(validateOpenApi(document)).resolves.toBe('valid');
  });

  it('(the validator refuses a broken document)', async () => {
    const broken = structuredClone(document);
    (broken.paths['/beta/endusers'] as Record<string, unknown>).get = { responses: 'none' };
    await expect(validateOpenApi(broken)).rejects.toThrow(/responses/);
  });

  it('lists every route Nest mounted, of the four surfaces and the management API', () => {
    const identityPaths = routes.filter((route) => route.identity).map((route) => route.path);
    for (const surface of [
      '/identity/api-keys',
      '/api/user',
      '/beta/endusers',
      '/api/v1/external-users',
      '/reg/api2/users',
    ]) {
      expect(identityPaths).toContain(surface);
    }
    expect(routes.filter((route) => !documented(document, route))).toEqual([]);
  });

  it("documents each module route's errors in its surface's own body, and the API-key header styles", () => {
    const identityRoutes = routes.filter((route) => route.identity);
    const undocumentedErrors = identityRoutes.filter((route) => {
      const operation = documented(document, route)!;
      return ['400', '401', '429'].some((status) => !operation.responses[status]?.content);
    });
    expect(undocumentedErrors).toEqual([]);
    const schemes = Object.keys(document.components?.securitySchemes ?? {});
    expect(schemes).toEqual(
      expect.arrayContaining([
        'api-key',
        'regpack-api-id',
        'regpack-api-token',
        'regpack-api-user',
        'regpack-timestamp',
        'user-group-token',
        'external-user-token',
        'family-session',
      ]),
    );
    const keyRoute = documented(document, { method: 'get', path: '/beta/endusers', identity: true })!;
    expect(keyRoute.security).toEqual([
      { 'api-key': [] },
      { 'regpack-api-id': [], 'regpack-api-token': [], 'regpack-api-user': [], 'regpack-timestamp': [] },
    ]);
  });

  it("puts the module's routes under the host's tag, or leaves them out, with the swagger option", async () => {
    const tagged = await bootDemo({ swagger: { tag: 'Identity' } });
    const hidden = await bootDemo({ swagger: { hide: true } });
    try {
      const taggedDocument = openApiDocument(tagged);
      const hiddenDocument = openApiDocument(hidden);
      const identityRoutes = routes.filter((route) => route.identity);
      expect(identityRoutes.length).toBeGreaterThan(0);
      expect(
        identityRoutes.filter(
          (route) => JSON.stringify(documented(taggedDocument, route)?.tags) !== '["Identity"]',
        ),
      ).toEqual([]);
      expect(identityRoutes.filter((route) => documented(hiddenDocument, route))).toEqual([]);
      // the host's own routes stay
      expect(documented(hiddenDocument, { method: 'get', path: '/health', identity: false })).toBeDefined();
    } finally {
      await tagged.close();
      await hidden.close();
    }
  });
});
