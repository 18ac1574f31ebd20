import { shellJoin } from '../transport/shell-quote.js';
import { execChecked } from './exec-checked.js';
import type { ModuleContext } from './module.js';

/**
 * Copy a file aside before replacing it, named as Ansible names backups: `<path>.<pid>.<YYYY-MM-DD@HH:MM:SS>~`
 * with the pid and local time of the process on the host. Returns the backup's path.
 */
export const backupFile = async (ctx: ModuleContext, path: string): Promise<string> => {
  const script = `set -- ${shellJoin([path])}
b="$1.$$.$(date +%Y-%m-%d@%H:%M:%S~)"
cp -p -- "$1" "$b" && printf '%s' "$b"`;
  const result = await execChecked(ctx, script);
  return result.stdout;
};
