import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);

/** Running from TypeScript sources (tests) rather than the compiled dist/. */
export const sourceMode = here.endsWith('.ts');

/** Running from the CLI's bundle (dist/bundle/, rolldown.config.mjs), whose roles are bundle entries too. */
const bundled = here.includes(`${sep}dist${sep}bundle${sep}`);

const findRoot = (start: string): string => {
  let dir = start;
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'roles'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`cannot find nop's package root above ${start}`);
};

/** nop's own directory: its roles/, templates/ and playbooks/ live here. */
export const packageRoot = findRoot(dirname(here));

/**
 * Where a builtin role's compiled code lives (its data files stay in roles/NAME/): the bundle's own entry when
 * running from the bundle, so the role shares the runner's modules.
 */
export const builtinRoleCode = (name: string): string => {
  if (sourceMode) return join(packageRoot, 'roles', name, 'index.ts');
  return bundled ? join(packageRoot, 'dist', 'bundle', 'roles', `${name}.cjs`) : join(packageRoot, 'dist', 'roles', name, 'index.js');
};
