import { posix } from 'node:path';
import { shellJoin } from '../transport/shell-quote.js';

/** Where a compose project lives and which of its files a command uses. */
export interface ComposeProject {
  /** the deploy directory */
  dir: string;
  /** compose files, relative to dir */
  files: string[];
  /** a shell file of `export K=V` the compose files interpolate (config.env): sourced, so secrets never reach argv */
  env_file?: string;
}

// `.` looks a name without a slash up in PATH, not in the current directory: a relative file gets its ./
const sourcePath = (file: string): string => (posix.isAbsolute(file) ? file : `./${posix.normalize(file)}`);

/** The shell script running `docker compose -f FILE… ARGS` in the project's directory with its env file sourced. */
export const composeScript = (project: ComposeProject, args: readonly string[]): string =>
  [
    `cd ${shellJoin([project.dir])} || exit`,
    ...(project.env_file
      ? [`if [ -f ${shellJoin([project.env_file])} ]; then set -a; . ${shellJoin([sourcePath(project.env_file)])} || exit; set +a; fi`]
      : []),
    `docker compose ${shellJoin([...project.files.flatMap((f) => ['-f', f]), ...args])}`,
  ].join('\n');
