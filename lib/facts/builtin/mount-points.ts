import { defineFact } from '../fact.js';

export interface MountPoint {
  /** where it is mounted (octal escapes of /proc/self/mountinfo decoded) */
  target: string;
  source: string;
  fstype: string;
  /** the mounted directory of the source (a bind mount's subtree) */
  root: string;
  options: string;
}

const decodeOctal = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** What is mounted where, as the host's mount namespace sees it (/proc/self/mountinfo of the reading shell). */
export const mountPoints = defineFact<void, MountPoint[]>({
  name: 'mount_points',
  command: () => 'cat /proc/self/mountinfo',
  parse: ({ stdout, rc }, args) => {
    if (rc !== 0) return args.map(() => new Error('cannot read /proc/self/mountinfo'));
    const mounts: MountPoint[] = [];
    for (const line of stdout.split('\n')) {
      const [left, right] = line.split(' - ');
      if (right === undefined) continue;
      const f = left.split(' ');
      const [fstype, source] = right.split(' ');
      mounts.push({ target: decodeOctal(f[4]), root: decodeOctal(f[3]), options: f[5], fstype, source: decodeOctal(source) });
    }
    return args.map(() => mounts);
  },
  key: () => 'mounts',
});
