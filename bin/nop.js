#!/usr/bin/env node
// the bundle of dist/lib/cli (npm run build): one file to load instead of ~270, compiled from V8's cache after the first run
import { createRequire } from 'node:module';
import { compileCacheDir, enableCompileCache } from '../dist/lib/cli/compile-cache.js';

const cacheDir = compileCacheDir();
if (cacheDir) enableCompileCache(cacheDir);
const { main } = createRequire(import.meta.url)('../dist/bundle/nop.cjs');

// `nop ... | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
