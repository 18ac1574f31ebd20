/**
 * The CLI as one bundle (dist/bundle/), built from tsc's dist/: loading ~270 modules one file at a time was most of
 * nop's start. Each builtin role is an entry of its own, sharing the CLI's chunks, so a role and the runner use the
 * same modules (one UnreachableError, one zod). ssh2's client is bundled into the SSH transport's chunk (its ~30 files
 * one at a time were ~5 ms of every start), its native parts are not: see `ssh2Bundled`. handlebars stays in
 * node_modules (required on the first .hbs template).
 * What loads only when needed stays a chunk of its own: the SSH transport, the live display, diffs, other commands.
 * The code cache (lib/cli/compile-cache.ts) is an entry too: bin/nop.js, CommonJS, requires it before the CLI.
 */
import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'rolldown';

/**
 * Two requires a bundle would break, rewritten: ssh-connection's require of ssh2's client (createRequire, which the
 * bundler does not follow) becomes a plain one, and ssh2's require of its native crypto binding, relative to its own
 * file, names the binding in node_modules (ssh2 would silently fall back to slower JavaScript ciphers without it).
 * A rewrite that no longer matches fails the build.
 */
const ssh2Bundled = () => {
  const rewrites = [
    ['/dist/lib/transport/ssh-connection.js', "createRequire(import.meta.url)('ssh2/lib/client.js')", "require('ssh2/lib/client.js')"],
    [
      '/node_modules/ssh2/lib/protocol/crypto.js',
      "require('./crypto/build/Release/sshcrypto.node')",
      "require('ssh2/lib/protocol/crypto/build/Release/sshcrypto.node')",
    ],
  ];
  return {
    name: 'ssh2-bundled',
    transform(code, id) {
      const rewrite = rewrites.find(([file]) => id.endsWith(file));
      if (!rewrite) return undefined;
      const [file, from, to] = rewrite;
      if (!code.includes(from)) throw new Error(`rolldown.config.mjs: ${file} no longer contains ${from}`);
      return code.replace(from, to);
    },
  };
};

const roles = readdirSync('dist/roles').filter((name) => existsSync(`dist/roles/${name}/index.js`));

export default defineConfig({
  input: {
    nop: 'dist/lib/cli/main.js',
    'compile-cache': 'dist/lib/cli/compile-cache.js',
    ...Object.fromEntries(roles.map((name) => [`roles/${name}`, `dist/roles/${name}/index.js`])),
  },
  platform: 'node',
  external: [/^cpu-features(\/|$)/, /^handlebars(\/|$)/, /^ssh2\/.*\.node$/],
  plugins: [ssh2Bundled()],
  // CommonJS, so that bin/nop.js can give V8 the code it cached (lib/cli/compile-cache.ts): Node.js 20 caches no ES
  // module. Named exports, so that every role entry's definition is its `default`, as an ES module's would be.
  output: { dir: 'dist/bundle', cleanDir: true, format: 'cjs', exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' },
});
