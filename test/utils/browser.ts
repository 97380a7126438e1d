import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The Debian chromium that `.ci/run` installs; the browser specs never download one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser specs can run here: checked once, at module load, so they can be skipped. */
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

const RUNNING_IN_CI = process.env.CI === 'true' || process.env.CI === '1';

/** Whether browser specs run: with a browser, or under CI, where a missing browser is a failure. */
export const RUN_BROWSER_SPECS = HAS_CHROMIUM || RUNNING_IN_CI;

/**
 * `it` when a browser is available or this is CI (where a missing browser must fail, see
 * `launchChromium`), else `it.skip` with a loud warning: a developer machine without chromium still
 * runs every other spec.
 */
export function browserTest<T>(it: T & { skip: T }, suite: string): T {
  if (RUN_BROWSER_SPECS) {
    return it;
  }
  console.warn(
    [
      '#'.repeat(78),
      `#  ${suite}: SKIPPED — no chromium at ${CHROMIUM_PATH}.`,
      '#  Install it with: apt-get install -y chromium   (or set CHROMIUM_PATH)',
      '#'.repeat(78),
    ].join('\n'),
  );
  return it.skip;
}

/** Launches headless chromium with flags that keep it quiet and offline; fails clearly when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!HAS_CHROMIUM) {
    throw new Error(
      `No chromium at ${CHROMIUM_PATH}: the browser specs need it under CI. ` +
        '.ci/run installs it with "apt-get install -y chromium"; check that step, or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
