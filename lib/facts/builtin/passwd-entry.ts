import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A user's /etc/passwd entry (through NSS: getent); null when there is no such user. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

/** Users' passwd entries, one getent for all of them. */
export const passwdEntry = defineFact<string, PasswdEntry | null>({
  name: 'passwd_entry',
  // getent exits 2 when one of the names is unknown, after printing the others
  command: (names) => `getent passwd -- ${shellJoin(names)}; true`,
  parse: ({ stdout }, names) => {
    const found = new Map<string, PasswdEntry>();
    for (const line of stdout.split('\n')) {
      const [name, , uid, gid, gecos, home, shell] = line.split(':');
      if (shell === undefined) continue;
      found.set(name, { name, uid: Number(uid), gid: Number(gid), gecos, home, shell });
    }
    return names.map((n) => found.get(n) ?? null);
  },
  key: (name) => name,
});
