import 'reflect-metadata';
import { startDemoHost } from './bootstrap.js';
import { HostConfigError } from './config.js';

try {
  await startDemoHost(process.env);
} catch (err) {
  if (!(err instanceof HostConfigError)) {
    throw err;
  }
  console.error(err.message);
  process.exit(1);
}
