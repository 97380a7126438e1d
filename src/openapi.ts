import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { createDemoApp, swaggerConfig } from './bootstrap.js';

/** The OpenAPI document of an app built by `createDemoApp`: every mounted route, the module's security schemes. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(app, swaggerConfig());
}

/**
 * `npm run openapi`: builds the demo host on an in-memory SQLite database, reads its document without
 * listening on a port, and closes it.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await createDemoApp(
    {
      database: { type: 'sqlite', path: ':memory:' },
      identity: { tokenSecret: randomBytes(32).toString('base64url') },
      port: 0,
      databaseLogging: false,
    },
    ['error'],
  );
  try {
    await app.init();
    return openApiDocument(app);
  } finally {
    await app.close();
  }
}
