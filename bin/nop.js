#!/usr/bin/env node
// CommonJS (bin/package.json), as the bundle is: Node.js starts no ES module loader for it, which was about 8 ms of CPU
// of every start. It loads the bundle of dist/lib/cli (npm run build), one file instead of ~270, compiled from V8's
// code cache after the first run (lib/cli/compile-cache.ts).
const { compileCacheDir, enableCompileCache } = require('../dist/bundle/compile-cache.cjs');

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
