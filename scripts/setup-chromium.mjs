#!/usr/bin/env node
// Makes a Chromium available for the browser tests of `wnrl export` (`npm test` runs this; the tests drive
// it headless through puppeteer-core). Idempotent:
//   1. WNRL_CHROMIUM, or chromium / chromium-browser / google-chrome on PATH -> nothing to do
//   2. root (or password-less sudo) + apt-get -> apt-get install chromium (Debian's; ~1 min)
//   3. otherwise                              -> say how to install it and exit 1
import { aptInstall, has } from './apt-install.mjs';

const say = (msg) => process.stderr.write(`[wnrl setup:chromium] ${msg}\n`);
const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome'];
const present = () => BROWSERS.some((b) => has(b));

function main() {
  if (process.env.WNRL_CHROMIUM && has(process.env.WNRL_CHROMIUM)) return 0;
  if (present()) return 0;
  say('no Chromium found; installing it from the distribution (Debian: chromium)');
  if (aptInstall('chromium', ['--no-install-recommends'], present, say)) {
    say('chromium installed');
    return 0;
  }
  say(
    'a Chromium is needed by the browser tests of wnrl export and could not be installed here.\n' +
      '  Debian/Ubuntu: sudo apt-get install chromium   or set WNRL_CHROMIUM to a Chrome or Chromium binary.',
  );
  return 1;
}

process.exitCode = main();
