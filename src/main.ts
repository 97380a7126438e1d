import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { bootstrapFirstWorkspace, createDemoApp, firstStartBanner } from './bootstrap.js';
import { configFromEnv } from './config.js';

const config = configFromEnv();
const app = await createDemoApp(config);
const first = await bootstrapFirstWorkspace(app, config.bootstrapKey);
await app.listen(config.port);
const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
if (first) {
  // Printed once, on the first start only: the secret is never logged again (only its hash is stored).
  console.log(firstStartBanner(first, url));
}
new Logger('DemoHost').log(
  `Listening on ${url} (${config.http?.adapter ?? 'express'}, ${config.database.type}); Swagger UI at ${url}/docs`,
);
