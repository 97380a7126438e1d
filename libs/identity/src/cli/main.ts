#!/usr/bin/env node
// The package's `bin`: `npx nestjs-identity --help`.
import 'reflect-metadata';
import { runIdentityCli } from './identity-cli.js';

process.exitCode = await runIdentityCli(process.argv.slice(2), process.env);
