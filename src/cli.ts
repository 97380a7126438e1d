import 'reflect-metadata';
import { runCli } from './cli-commands.js';

process.exit(await runCli(process.argv.slice(2), process.env));
