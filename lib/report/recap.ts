import type { HostStats } from '../runner/types.js';

const cell = (lead: string, n: number) => `${lead}=${String(n).padEnd(4)}`;

/** Ansible's PLAY RECAP, to the column. */
export const formatRecap = (stats: Record<string, HostStats>): string => {
  const lines = Object.keys(stats)
    .sort()
    .map((host) => {
      const s = stats[host];
      const cells = [
        cell('ok', s.ok),
        cell('changed', s.changed),
        cell('unreachable', s.unreachable),
        cell('failed', s.failed),
        cell('skipped', s.skipped),
        cell('rescued', s.rescued),
        cell('ignored', s.ignored),
      ];
      return `${host.padEnd(26)} : ${cells.join(' ')}`;
    });
  return [banner('PLAY RECAP'), ...lines, ''].join('\n');
};

export const banner = (title: string): string => `${title} ${'*'.repeat(Math.max(3, 79 - title.length))}`;
