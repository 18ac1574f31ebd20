import { defineFact } from '../fact.js';

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** Every group (through NSS: getent group), with its members: what group and user membership are planned from. */
export const groupDb = defineFact<void, GroupEntry[]>({
  name: 'group_db',
  command: () => 'getent group',
  parse: ({ stdout, rc }, args) => {
    if (rc !== 0) return args.map(() => new Error(`getent group failed with rc=${rc}`));
    const groups: GroupEntry[] = [];
    for (const line of stdout.split('\n')) {
      const [name, , gid, members] = line.split(':');
      if (members === undefined) continue;
      groups.push({ name, gid: Number(gid), members: members ? members.split(',') : [] });
    }
    return args.map(() => groups);
  },
  key: () => 'groups',
});

/** A group by name, or by gid when given digits (as Ansible's group_exists takes either). */
export const findGroup = (groups: readonly GroupEntry[], nameOrGid: string): GroupEntry | undefined =>
  groups.find((g) => g.name === nameOrGid) ?? (/^\d+$/.test(nameOrGid) ? groups.find((g) => g.gid === Number(nameOrGid)) : undefined);
