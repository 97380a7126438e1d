import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { bootstrapFirstWorkspace, createDemoApp } from './bootstrap.js';
import { configFromEnv } from './config.js';

const config = configFromEnv();
const app = await createDemoApp(config);
const first = await bootstrapFirstWorkspace(app, config.bootstrapKey);
await app.listen(config.port);
const url = (await app.getUrl()).replace('[::1]', 'localhost');
const logger = new Logger('DemoHost');
if (first) {
  const line = '='.repeat(78);
  console.log(
    [
      line,
      `Created workspace ${first.workspaceId} on an empty database.`,
      first.given
        ? 'Registered IDENTITY_BOOTSTRAP_KEY as its write API key.'
        : `Its write API key (shown once, only its hash is stored):\n\n    ${first.secret}\n`,
      `Try: curl -H "Authorization: Token <key>" ${url}/whoami`,
      line,
    ].join('\n'),
  );
}
logger.log(`Listening on ${url} (${config.database.type}); Swagger UI at ${url}/docs`);
