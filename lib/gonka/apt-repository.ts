import { copyModule } from '../modules/builtin/copy.js';
import { fileModule } from '../modules/builtin/file.js';
import { getUrlModule } from '../modules/builtin/get_url.js';
import type { ModuleContext, ModuleResult } from '../modules/module.js';

export interface AptRepository {
  /** file names: /etc/apt/keyrings/<name>.asc and /etc/apt/sources.list.d/<name>.list */
  name: string;
  keyUrl: string;
  /** the sources line, with `signed-by` filled in */
  line: (keyring: string) => string;
}

/**
 * An apt repository signed by its own key: the key downloaded once into /etc/apt/keyrings, the sources list
 * written. Returns changed when either changed, so the caller knows the package lists need an update.
 */
export const ensureAptRepository = async (ctx: ModuleContext, repo: AptRepository): Promise<ModuleResult> => {
  const keyring = `/etc/apt/keyrings/${repo.name}.asc`;
  const dir = await ctx.call(fileModule, { path: '/etc/apt/keyrings', state: 'directory', mode: '0755' });
  if (dir.failed) return dir;
  const key = await ctx.call(getUrlModule, { url: repo.keyUrl, dest: keyring, mode: '0644' });
  if (key.failed) return { ...key, msg: `cannot download the ${repo.name} signing key from ${repo.keyUrl}: ${key.msg ?? ''}` };
  const list = await ctx.call(copyModule, { dest: `/etc/apt/sources.list.d/${repo.name}.list`, content: `${repo.line(keyring)}\n`, mode: '0644' });
  if (list.failed) return list;
  return { changed: key.changed || list.changed || dir.changed, msg: `${repo.name} apt repository configured` };
};
