#!/usr/bin/env node
// Provisions the native TensorFlow backend for @tensorflow/tfjs-node. Idempotent; `npm start`, `npm test`
// and `npm run bench` run it first.
//
//   1. the addon already loads            -> nothing to do (a fraction of a second)
//   2. libraries cached by an earlier run -> link them in, reuse (or rebuild) the addon (seconds)
//   3. tfjs-node's official install       -> downloads libtensorflow + a prebuilt addon (needs internet)
//   4. the tensorflow-cpu Python wheel    -> pip download, extract libtensorflow_cc + headers into the cache,
//                                            build the addon from source with node-gyp (about a minute)
//   5. none of that worked                -> say what is missing and exit 1
//
// Why: tfjs-node's install script fetches libtensorflow from storage.googleapis.com, which machines behind
// a registry-only firewall cannot reach, so dependencies' install scripts are off (.npmrc) and this step
// replaces them. See ../shared/NATIVE_BACKEND.md for the route verified on this project's machines.
// Environment: WNRL_CACHE_DIR (default $XDG_CACHE_HOME/wnrl or ~/.cache/wnrl),
// WNRL_TF_WHEEL (pip requirement, default tensorflow-cpu==2.21.0), WNRL_SKIP_OFFICIAL_INSTALL=1.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const say = (msg) => process.stderr.write(`[wnrl setup] ${msg}\n`);

const tfjsNodeDir = path.dirname(require.resolve('@tensorflow/tfjs-node/package.json'));
const tfjsNodeVersion = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')).version;
const napiVersion = process.versions.napi ? Math.min(8, Number(process.versions.napi)) : 8;
const bindingPath = path.join(tfjsNodeDir, 'lib', `napi-v${napiVersion}`, 'tfjs_binding.node');
const depsLib = path.join(tfjsNodeDir, 'deps', 'lib');
const depsInclude = path.join(tfjsNodeDir, 'deps', 'include');

const wheelSpec = process.env.WNRL_TF_WHEEL ?? 'tensorflow-cpu==2.21.0';
const cacheRoot =
  process.env.WNRL_CACHE_DIR ??
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'wnrl');
const libCache = path.join(cacheRoot, 'libtensorflow', wheelSpec.replace(/[^A-Za-z0-9.]+/g, '-'));
const addonCache = path.join(
  cacheRoot,
  'addon',
  `tfjs-node-${tfjsNodeVersion}-napi${napiVersion}-${process.platform}-${process.arch}-${path.basename(libCache)}`,
);

function addonLoads() {
  if (!fs.existsSync(bindingPath)) return { ok: false, reason: `${bindingPath} does not exist` };
  // Load in a child so a half-provisioned library cannot crash or pollute this process.
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(bindingPath)})`], {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
  });
  return r.status === 0 ? { ok: true } : { ok: false, reason: (r.stderr || '').trim().split('\n')[0] };
}

function run(cmd, args, opts = {}, label = `${cmd} ${args.join(' ')}`) {
  say(`$ ${label}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  return r.status === 0;
}

function linkForce(target, linkPath) {
  fs.rmSync(linkPath, { force: true, recursive: true });
  fs.symlinkSync(target, linkPath);
}

/** Lays the cached libraries out as binding.gyp and the addon's rpath ($ORIGIN/../../deps/lib) expect. */
function linkDeps() {
  fs.mkdirSync(depsLib, { recursive: true });
  const cc = path.join(libCache, 'lib', 'libtensorflow_cc.so.2');
  const fw = path.join(libCache, 'lib', 'libtensorflow_framework.so.2');
  linkForce(cc, path.join(depsLib, 'libtensorflow_cc.so.2'));
  linkForce(cc, path.join(depsLib, 'libtensorflow.so.2'));
  linkForce(cc, path.join(depsLib, 'libtensorflow.so'));
  linkForce(fw, path.join(depsLib, 'libtensorflow_framework.so.2'));
  linkForce(fw, path.join(depsLib, 'libtensorflow_framework.so'));
  linkForce(path.join(libCache, 'include'), depsInclude);
}

function libCacheComplete() {
  return fs.existsSync(path.join(libCache, 'COMPLETE'));
}

function buildAddon() {
  const preGyp = path.join(tfjsNodeDir, '..', '..', '.bin', 'node-pre-gyp');
  const nodedir = process.env.npm_config_nodedir ?? (fs.existsSync('/usr/include/node/node.h') ? '/usr' : undefined);
  const args = ['install', '--build-from-source'];
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  say('building the tfjs-node addon from source against the cached libtensorflow (about 15 s)');
  const env = { ...process.env, ...(nodedir ? { npm_config_nodedir: nodedir } : {}) };
  if (!run(preGyp, args, { cwd: tfjsNodeDir, env })) return false;
  fs.mkdirSync(addonCache, { recursive: true });
  const tmp = path.join(addonCache, `tfjs_binding.node.${process.pid}`);
  fs.copyFileSync(bindingPath, tmp);
  fs.renameSync(tmp, path.join(addonCache, 'tfjs_binding.node'));
  return true;
}

function installAddonFromCache() {
  linkDeps();
  const cached = path.join(addonCache, 'tfjs_binding.node');
  if (fs.existsSync(cached)) {
    say(`linking cached libtensorflow and addon from ${cacheRoot}`);
    fs.mkdirSync(path.dirname(bindingPath), { recursive: true });
    fs.copyFileSync(cached, bindingPath);
    if (addonLoads().ok) return true;
    say('the cached addon does not load here; rebuilding it');
  }
  return buildAddon() && addonLoads().ok;
}

function officialInstall() {
  if (process.env.WNRL_SKIP_OFFICIAL_INSTALL === '1') return false;
  say("trying tfjs-node's official install (downloads libtensorflow; needs internet access)");
  const r = spawnSync(process.execPath, [path.join(tfjsNodeDir, 'scripts', 'install.js')], {
    cwd: tfjsNodeDir,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) {
    const why = `${r.stderr ?? ''}`.split('\n').find((l) => /Error/.test(l)) ?? `exit code ${r.status}`;
    say(`official install failed: ${why.trim()}`);
    return false;
  }
  return addonLoads().ok;
}

function provisionFromWheel() {
  say(`provisioning libtensorflow from the ${wheelSpec} Python wheel into ${libCache}`);
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) return { ok: false, missing: 'python3 with pip (to download the tensorflow-cpu wheel)' };
  const dl = fs.mkdtempSync(path.join(os.tmpdir(), 'wnrl-wheel-'));
  try {
    const args = ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dl, wheelSpec];
    if (!run(python, args)) return { ok: false, missing: `pip could not download ${wheelSpec}` };
    const wheel = fs.readdirSync(dl).find((f) => f.endsWith('.whl'));
    if (!wheel) return { ok: false, missing: `pip produced no wheel for ${wheelSpec}` };
    // Extract only what the addon needs (the wheel is ~270 MB, the C++ library inside it ~790 MB).
    const staging = `${libCache}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const extract = `
import sys, zipfile, os, shutil
wheel, out = sys.argv[1], sys.argv[2]
keep_lib = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
inc = 'tensorflow/include/'
wanted = ('tensorflow/c/', 'tensorflow/core/platform/ctstring', 'tsl/', 'xla/tsl/')
with zipfile.ZipFile(wheel) as z:
    for m in z.infolist():
        if m.filename in keep_lib:
            dest = os.path.join(out, 'lib', os.path.basename(m.filename))
        elif m.filename.startswith(inc) and m.filename[len(inc):].startswith(wanted):
            dest = os.path.join(out, 'include', m.filename[len(inc):])
        else:
            continue
        if m.is_dir():
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(m) as src, open(dest, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
`;
    say(`extracting libtensorflow_cc, libtensorflow_framework and headers from ${wheel}`);
    if (!run(python, ['-c', extract, path.join(dl, wheel), staging], {}, `${python} -c <extract> ${wheel}`)) {
      return { ok: false, missing: `could not extract ${wheel}` };
    }
    for (const lib of ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']) {
      if (!fs.existsSync(path.join(staging, 'lib', lib))) {
        return { ok: false, missing: `${wheel} has no tensorflow/${lib}` };
      }
    }
    fs.writeFileSync(path.join(staging, 'COMPLETE'), `${wheel}\n`);
    fs.mkdirSync(path.dirname(libCache), { recursive: true });
    fs.rmSync(libCache, { recursive: true, force: true });
    fs.renameSync(staging, libCache);
  } finally {
    fs.rmSync(dl, { recursive: true, force: true });
  }
  const hasCompiler = spawnSync('g++', ['--version']).status === 0 && spawnSync('make', ['--version']).status === 0;
  if (!hasCompiler) return { ok: false, missing: 'g++ and make (to build the addon from source)' };
  return installAddonFromCache() ? { ok: true } : { ok: false, missing: 'a working addon build (see the output above)' };
}

function main() {
  const t0 = Date.now();
  const first = addonLoads();
  if (first.ok) return 0;
  say(`the native TensorFlow addon does not load yet (${first.reason}); provisioning it`);

  if (libCacheComplete() && installAddonFromCache()) {
    say(`native backend ready from the cache in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (officialInstall()) {
    say(`native backend ready (official install) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  }
  const wheel = provisionFromWheel();
  if (wheel.ok) {
    say(`native backend ready (wheel route) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  }
  if (process.env.WNRL_BACKEND === 'cpu') {
    say(`could not provision the native backend (${wheel.missing}); continuing because WNRL_BACKEND=cpu was asked for`);
    return 0;
  }
  say(
    [
      'could not provision the native TensorFlow backend for @tensorflow/tfjs-node.',
      `  missing: ${wheel.missing}`,
      '  Either give this machine internet access for tfjs-node\'s own install (`node node_modules/@tensorflow/tfjs-node/scripts/install.js`),',
      '  or make `python3 -m pip download tensorflow-cpu` work and install g++ and make.',
      '  To run on the slow pure-JS backend instead, set WNRL_BACKEND=cpu.',
    ].join('\n'),
  );
  return 1;
}

process.exitCode = main();
