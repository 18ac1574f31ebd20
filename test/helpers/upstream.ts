// Upstream's deploy/join files, kept verbatim beside the repository (../shared/upstream/deploy-join relative to the
// repo root; a worktree deeper down finds the nearest ancestor holding it). Tests read them; the repo never copies them.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../lib/runner/paths.js';

const find = (dir: string): string | undefined => {
  const candidate = join(dir, '..', 'shared', 'upstream', 'deploy-join');
  if (existsSync(candidate)) return resolve(candidate);
  return dirname(dir) === dir ? undefined : find(dirname(dir));
};

export const upstreamDir = (): string => {
  const dir = process.env.NOP_UPSTREAM_DIR ?? find(packageRoot);
  if (!dir || !existsSync(dir))
    throw new Error(`upstream deploy/join files not found: expected ../shared/upstream/deploy-join above ${packageRoot} (or NOP_UPSTREAM_DIR)`);
  return dir;
};
