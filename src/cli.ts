import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IdentityError } from '../libs/identity/src/index.js';
import { AppModule } from './app.module.js';
import { CLI_USAGE, CliUsageError, runCliCommand, wantsHelp } from './cli-commands.js';
import { configFromEnv } from './config.js';

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  console.log(CLI_USAGE);
  process.exit(0);
}
const app = await NestFactory.createApplicationContext(AppModule.register(configFromEnv()), {
  logger: ['error'],
});
let code = 0;
try {
  console.log((await runCliCommand(app, argv)).join('\n'));
} catch (err) {
  if (err instanceof CliUsageError) {
    console.error(`${err.message}\n\n${CLI_USAGE}`);
    code = 2;
  } else if (err instanceof IdentityError) {
    console.error(err.message);
    code = 1;
  } else {
    throw err;
  }
} finally {
  await app.close();
}
process.exit(code);
