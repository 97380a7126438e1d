// The demo host in a process of its own, started by `startHostProcess` (host-process.ts): reads its
// HostConfig from IDENTITY_HOST_CONFIG, listens on a free port and reports `{ url }` as one JSON line
// on stdout.
import 'reflect-metadata';
import { createDemoApp } from '../../src/bootstrap.js';
import type { HostConfig } from '../../src/config.js';

const config = JSON.parse(process.env.IDENTITY_HOST_CONFIG ?? '{}') as HostConfig;
const app = await createDemoApp(config, ['error']);
await app.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url: await app.getUrl() })}\n`);
