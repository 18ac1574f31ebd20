#!/usr/bin/env node
import { main } from '../dist/lib/cli/main.js';

// `nop ... | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
