import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ProgramCounter {
  /** a PATH whose every program is a shim that logs its name, then runs the real one */
  path: string;
  /** the programs run since the last reset, in order */
  programs(): Promise<string[]>;
  reset(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Counts the processes a remote script starts, without timing anything: every program on this machine's PATH gets
 * a shim (a link to one script) that appends its name to a log, then execs the real program from the original
 * PATH. Builtins (printf, test, read) are not programs and are not counted. Programs named in `omit` are left out
 * of the PATH, as on a host that lacks them (perl: the write batch's shell fallback, lib/transport/op-batch.ts).
 */
export const programCounter = async (omit: readonly string[] = []): Promise<ProgramCounter> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-programs-'));
  const log = join(dir, 'programs.log');
  const shimDir = join(dir, 'bin');
  const shim = join(dir, 'count-and-run');
  const originalPath = process.env.PATH ?? '/usr/bin:/bin';
  await writeFile(shim, `#!/bin/sh\nprintf '%s\\n' "\${0##*/}" >> '${log}'\nPATH='${originalPath}' exec "\${0##*/}" "$@"\n`);
  await chmod(shim, 0o755);
  await writeFile(log, '');
  await mkdir(shimDir);
  const seen = new Set<string>(omit);
  for (const bin of originalPath.split(delimiter)) {
    for (const name of await readdir(bin).catch(() => [] as string[])) {
      if (seen.has(name)) continue;
      seen.add(name);
      await symlink(shim, join(shimDir, name));
    }
  }
  return {
    path: shimDir,
    programs: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
    reset: () => writeFile(log, ''),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
};
