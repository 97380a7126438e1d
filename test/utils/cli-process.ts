import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/**
 * Runs `npm run identity -- <args>` as its own process, from the TypeScript sources (no build needed),
 * with exactly the given environment on top of PATH: nothing of this process's database, Redis or
 * secret settings leaks in. Rejects when the CLI exits with a non-zero code.
 */
export async function runCliProcess(
  args: string[],
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', REGISTER, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
}
