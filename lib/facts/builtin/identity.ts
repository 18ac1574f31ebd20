import { defineFact } from '../fact.js';

/** Who creates files on the host (the reader: login or become user): its name, primary group and umask. */
export interface Identity {
  user: string;
  group: string;
  umask: number;
}

// `uid=1000(alice) gid=1000(alice) groups=…`, with `euid=`/`egid=` after them when the effective ids differ: the
// effective ones create files. An id without a name (no passwd or group entry) has no parenthesis: no name.
const idName = (ids: string, key: 'uid' | 'gid'): string => {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=\\d+(?:\\(([^)]*)\\))?`).exec(ids);
  const found = field(`e${key}`) ?? field(key);
  return found?.[1] ?? '';
};

/** What a new file will belong to and which permission bits it loses, so a plan can report them as Ansible does. */
export const identity = defineFact<void, Identity>({
  name: 'identity',
  // one `id` for both names (id -un and id -gn were a process each, in every probe); C locale: its words as parsed
  command: () => 'LC_ALL=C id; umask',
  parse: ({ stdout }, args) => {
    const [ids = '', umask = '022'] = stdout.split('\n');
    const value = { user: idName(ids, 'uid'), group: idName(ids, 'gid'), umask: Number.parseInt(umask, 8) };
    return args.map(() => ({ ...value }));
  },
  key: () => 'identity',
});
