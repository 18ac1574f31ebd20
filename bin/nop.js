#!/usr/bin/env node
// the bundle of dist/lib/cli (npm run build): one file to load instead of ~270
import { main } from '../dist/bundle/nop.js';

// `nop ... | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
