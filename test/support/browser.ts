import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's chromium package puts the browser (`scripts/ensure-chromium.sh` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Launches the machine's Chromium headless through playwright-core (which brings no browser of
 * its own). `--no-sandbox` because tests run as root here, where Chromium refuses its sandbox.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test runs it first)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}
