import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The simulator also runs compiled (dist/sim/host/): its YAML and shim files stay in the source tree, so
// they are found from the repository root rather than from this file's directory.
const findRepoRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'nop') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the nop repository root above the simulated host');
};

export const REPO_ROOT = findRepoRoot();
export const SIM_HOST_DIR = join(REPO_ROOT, 'sim/host');
export const SHIMS_DIR = join(SIM_HOST_DIR, 'shims');
export const PROFILES_DIR = join(SIM_HOST_DIR, 'profiles');
export const APT_CATALOG = join(SIM_HOST_DIR, 'apt-catalog.yaml');
export const GONKA_BIN_DIR = join(REPO_ROOT, 'sim/gonka/bin');
