import { defineFact } from '../fact.js';
import { installedPackages } from './packages.js';

export interface ComposeVersion {
  /** `docker compose version` answered */
  available: boolean;
  /** its answer, or why there is none */
  output: string;
}

/** Whether the Docker CLI has the compose plugin (`docker compose version`). */
export const dockerComposeVersion = defineFact<void, ComposeVersion>({
  name: 'docker_compose_version',
  command: () => `out=$(docker compose version 2>&1); rc=$?; printf '%s\\n%s' "$rc" "$out"`,
  parse: ({ stdout }, args) => {
    const cut = stdout.indexOf('\n');
    const rc = stdout.slice(0, cut < 0 ? undefined : cut);
    const output = cut < 0 ? '' : stdout.slice(cut + 1).trim();
    return args.map(() => ({ available: rc === '0', output }));
  },
  key: () => 'docker_compose_version',
  // installing Docker or its plugin is what changes the answer
  dependsOn: () => [installedPackages],
});
