// `node --import ./test/utils/ts-register.mjs src/cli.ts …` runs a TypeScript entry point; see ts-hooks.mjs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
