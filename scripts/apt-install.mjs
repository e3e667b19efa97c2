// Installs a Debian package for the test setup (setup-redis.mjs, setup-chromium.mjs) when this process may:
// root or password-less sudo, and apt-get. Tries the install first and refreshes the package lists only
// when it fails. Returns whether `present()` holds afterwards.
import { spawnSync } from 'node:child_process';

export const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

export function aptInstall(pkg, extraArgs, present, say) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = !root && has('sudo', ['-n', 'true']) ? ['sudo', '-n'] : [];
  if (!has('apt-get', ['--version']) || !(root || sudo.length)) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    const [cmd, ...rest] = [...sudo, 'apt-get', ...args];
    say(`$ ${[cmd, ...rest].join(' ')}`);
    return spawnSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  };
  const install = ['install', '-y', '-qq', ...extraArgs, pkg];
  if (!apt(install)) {
    apt(['update', '-qq']);
    apt(install);
  }
  return present();
}
