import { copyModule } from '../modules/builtin/copy.js';
import { fileModule } from '../modules/builtin/file.js';
import { getUrlModule } from '../modules/builtin/get_url.js';
import { moduleCalls, type RoleTask, type RoleTaskKeywords } from './role.js';

export interface AptRepository<V> {
  /** in task names: "Docker", "NVIDIA Container Toolkit" */
  label: string;
  /** file names: /etc/apt/keyrings/<name>.asc and /etc/apt/sources.list.d/<name>.list */
  name: string;
  keyUrl: (v: V) => string;
  /** the sources line, with `signed-by` the keyring */
  line: (v: V, keyring: string) => string;
}

export const APT_KEYRINGS = '/etc/apt/keyrings';

/**
 * An apt repository signed by its own key, as three module tasks: the keyrings directory, the key downloaded once
 * into it, the sources list naming it. A package task after them installs from it (update_cache: the lists are
 * updated only when something is to be installed).
 */
export const aptRepositoryTasks = <V>(repo: AptRepository<V>, keywords: Omit<RoleTaskKeywords<V>, 'name'> = {}): RoleTask<V>[] => {
  const task = moduleCalls<V>()({ file: fileModule, get_url: getUrlModule, copy: copyModule });
  const keyring = `${APT_KEYRINGS}/${repo.name}.asc`;
  return [
    task.file({ ...keywords, name: `${repo.label} apt keyring directory` }, { path: APT_KEYRINGS, state: 'directory', mode: '0755' }),
    task.get_url({ ...keywords, name: `${repo.label} signing key` }, (v) => ({ url: repo.keyUrl(v), dest: keyring, mode: '0644' })),
    task.copy({ ...keywords, name: `${repo.label} apt repository` }, (v) => ({
      dest: `/etc/apt/sources.list.d/${repo.name}.list`,
      content: `${repo.line(v, keyring)}\n`,
      mode: '0644',
    })),
  ];
};
