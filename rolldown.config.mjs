/**
 * The CLI as one bundle (dist/bundle/), built from tsc's dist/: loading ~270 modules one file at a time was most of
 * nop's start. Each builtin role is an entry of its own, sharing the CLI's chunks, so a role and the runner use the
 * same modules (one UnreachableError, one zod). ssh2 stays in node_modules (native optional parts, loaded lazily), and
 * so does handlebars (required on the first .hbs template).
 * What loads only when needed stays a chunk of its own: the SSH transport, the live display, diffs, other commands.
 * The code cache (lib/cli/compile-cache.ts) is an entry too: bin/nop.js, CommonJS, requires it before the CLI.
 */
import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'rolldown';

const roles = readdirSync('dist/roles').filter((name) => existsSync(`dist/roles/${name}/index.js`));

export default defineConfig({
  input: {
    nop: 'dist/lib/cli/main.js',
    'compile-cache': 'dist/lib/cli/compile-cache.js',
    ...Object.fromEntries(roles.map((name) => [`roles/${name}`, `dist/roles/${name}/index.js`])),
  },
  platform: 'node',
  external: [/^ssh2(\/|$)/, /^cpu-features(\/|$)/, /^handlebars(\/|$)/],
  // CommonJS, so that bin/nop.js can give V8 the code it cached (lib/cli/compile-cache.ts): Node.js 20 caches no ES
  // module. Named exports, so that every role entry's definition is its `default`, as an ES module's would be.
  output: { dir: 'dist/bundle', cleanDir: true, format: 'cjs', exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
});
