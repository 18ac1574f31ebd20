import { existsSync, statSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ConfigLocation {
  /** the file to read; undefined when there is none */
  path?: string;
  /** why a candidate was passed over (a world-writable working directory) */
  warnings: string[];
}

const readable = async (path: string): Promise<boolean> =>
  access(path, constants.R_OK).then(
    () => true,
    () => false,
  );

// NOP_CONFIG / ANSIBLE_CONFIG may name a directory: its nop.cfg / ansible.cfg
const fromEnv = (value: string | undefined, file: string, cwd: string): string | undefined => {
  if (!value) return undefined;
  const path = resolve(cwd, value.startsWith('~/') ? join(homedir(), value.slice(2)) : value);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, file) : path;
};

const worldWritable = (dir: string): boolean => {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
};

/**
 * The config file, found as Ansible finds ansible.cfg (the first that exists is used, never several), with nop's
 * own name first at each place: $NOP_CONFIG, $ANSIBLE_CONFIG, ./nop.cfg, ./ansible.cfg, ~/.nop.cfg,
 * ~/.ansible.cfg, /etc/nop/nop.cfg, /etc/ansible/ansible.cfg. As Ansible does, a file in a world-writable working
 * directory is ignored: anyone could have put it there.
 */
export const findConfig = async (env: NodeJS.ProcessEnv, cwd: string, home = homedir()): Promise<ConfigLocation> => {
  const warnings: string[] = [];
  const fromCwd = ['nop.cfg', 'ansible.cfg'].map((f) => join(cwd, f));
  const cwdUnsafe = worldWritable(cwd);
  const candidates = [
    fromEnv(env.NOP_CONFIG, 'nop.cfg', cwd),
    fromEnv(env.ANSIBLE_CONFIG, 'ansible.cfg', cwd),
    ...(cwdUnsafe ? [] : fromCwd),
    join(home, '.nop.cfg'),
    join(home, '.ansible.cfg'),
    '/etc/nop/nop.cfg',
    '/etc/ansible/ansible.cfg',
  ].filter((p): p is string => p !== undefined);
  let found: string | undefined;
  for (const path of candidates) {
    if (await readable(path)) {
      found = path;
      break;
    }
  }
  const skipped = cwdUnsafe ? fromCwd.find((p) => existsSync(p)) : undefined;
  if (skipped && found !== skipped) warnings.push(`nop is being run in a world writable directory (${cwd}), ignoring ${skipped} as a config file`);
  return { path: found, warnings };
};
