import { defineFact } from '../fact.js';

/** Who creates files on the host (the reader: login or become user): its name, primary group and umask. */
export interface Identity {
  user: string;
  group: string;
  umask: number;
}

/** What a new file will belong to and which permission bits it loses, so a plan can report them as Ansible does. */
export const identity = defineFact<void, Identity>({
  name: 'identity',
  command: () => 'id -un; id -gn; umask',
  parse: ({ stdout }, args) => {
    const [user = '', group = '', umask = '022'] = stdout.split('\n');
    return args.map(() => ({ user, group, umask: Number.parseInt(umask, 8) }));
  },
  key: () => 'identity',
});
