import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Upstream's verbatim deploy/join files (never copied into the repository): `../shared` beside the repository
 * root, or beside the directory holding it (a git worktree such as /work/wt/NAME of /work/main).
 */
export const sharedUpstreamDir = (): string => {
  const candidates = [dirname(REPO_ROOT), dirname(dirname(REPO_ROOT))].map((d) => join(d, 'shared', 'upstream', 'deploy-join'));
  const found = candidates.find((d) => existsSync(join(d, 'docker-compose.yml')));
  if (!found) throw new Error(`upstream's deploy/join files are not at ${candidates.join(' or ')}`);
  return found;
};
