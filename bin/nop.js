#!/usr/bin/env node
// CommonJS (bin/package.json), as the bundle is: Node.js starts no ES module loader for it, which was about 8 ms of CPU
// of every start. It loads the bundle of dist/lib/cli (npm run build), one file instead of ~270, compiled from V8's
// code cache after the first run (lib/cli/compile-cache.ts).
const { compileCacheDir, enableCompileCache } = require('../dist/bundle/compile-cache.cjs');

// A run is short and its hot code is spread thin (every host runs the same tasks once): V8 optimized hundreds of
// functions with TurboFan that ran a few hundred times, and compiling them (on other threads, but on this machine's
// cores) was about a quarter of the process's CPU at 128 hosts. A 15x budget optimizes only what stays hot (a large
// fleet, a long apply): bench/fleet.ts, 128 hosts, CPU 1.35 -> 1.0 s no-change, 1.75 -> 1.35 s first run.
require('node:v8').setFlagsFromString('--interrupt-budget=1000000');

const cacheDir = compileCacheDir();
if (cacheDir) enableCompileCache(cacheDir);
const { main } = require('../dist/bundle/nop.cjs');

// `nop ... | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
