import { describe, expect, it } from 'vitest';
import { escapeFstab, setFstab, unsetFstab } from '../../../lib/modules/builtin/fstab-edit.js';

const entry = { name: '/mnt/data', src: 'LABEL=data', fstype: 'ext4', opts: 'noatime', dump: '0', passno: '2' };

describe('fstab edits (Ansible semantics)', () => {
  it('appends a new mount point, and changes only the fields that differ in place', () => {
    const base = '# static\nUUID=1 / ext4 defaults 0 1\n';
    expect(setFstab(base, entry)).toEqual({ text: `${base}LABEL=data /mnt/data ext4 noatime 0 2\n`, changed: true });
    const moved = setFstab('LABEL=data\t/mnt/data\text4\tnoatime\t0\t2\n', entry);
    expect(moved).toEqual({ text: 'LABEL=data\t/mnt/data\text4\tnoatime\t0\t2\n', changed: false });
    expect(setFstab('LABEL=old /mnt/data ext4 noatime\n', entry).text).toBe('LABEL=data /mnt/data ext4 noatime 0 2\n');
  });

  it('escapes blanks, & and backslashes as fstab(5) does, and removes a mount point', () => {
    expect(escapeFstab('/mnt/my disk&\\x')).toBe('/mnt/my\\040disk\\046\\134x');
    expect(unsetFstab('a /mnt/data ext4 defaults 0 0\n# keep\nb / ext4 defaults 0 1\n', '/mnt/data')).toEqual({
      text: '# keep\nb / ext4 defaults 0 1\n',
      changed: true,
    });
  });
});
