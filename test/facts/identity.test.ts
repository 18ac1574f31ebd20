import { describe, expect, it } from 'vitest';
import { identity } from '../../lib/facts/builtin/identity.js';

const parse = (stdout: string) => identity.parse({ stdout, rc: 0 }, [undefined])[0];

describe('identity: one id for the user and group names', () => {
  it('reads the names of uid and gid, and the umask', () => {
    expect(parse('uid=1001(noptest) gid=1002(staff) groups=1002(staff),27(sudo)\n0027\n')).toEqual({ user: 'noptest', group: 'staff', umask: 0o27 });
  });

  it('the effective ids win when they differ (they create the files)', () => {
    expect(parse('uid=1001(alice) gid=1001(alice) euid=0(root) egid=0(root) groups=1001(alice)\n0022\n')).toEqual({ user: 'root', group: 'root', umask: 0o22 });
  });

  it('an id without a name is no name, not the next field', () => {
    expect(parse('uid=4242 gid=4242 groups=4242\n0022\n')).toEqual({ user: '', group: '', umask: 0o22 });
    expect(parse('uid=1001(alice) gid=1001(alice) euid=4242 groups=1001(alice)\n0022\n')).toMatchObject({ user: '', group: 'alice' });
  });
});
