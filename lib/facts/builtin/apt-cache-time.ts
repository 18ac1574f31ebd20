import { defineFact } from '../fact.js';

/** When the apt cache was last updated (Ansible's rule: the update-success stamp, else the lists dir) and the host's clock. */
export interface AptCacheTime {
  /** seconds since the epoch; 0 when there is no cache */
  mtime: number;
  now: number;
}

export const aptCacheTime = defineFact<void, AptCacheTime>({
  name: 'apt_cache_time',
  command: () => `s=/var/lib/apt/periodic/update-success-stamp; [ -e "$s" ] || s=/var/lib/apt/lists
stat -c %Y "$s" 2>/dev/null || echo 0
date +%s`,
  parse: ({ stdout }, args) => {
    const [mtime = '0', now = '0'] = stdout.trim().split('\n');
    return args.map(() => ({ mtime: Number(mtime), now: Number(now) }));
  },
  key: () => 'apt-cache',
});
