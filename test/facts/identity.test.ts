import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { identity } from '../../lib/facts/builtin/identity.js';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { localTransport } from '../../lib/transport/local.js';
import { TEST_USERS } from '../helpers/sshd.js';

const parse = (stdout: string) => identity.parse({ stdout, rc: 0 }, [undefined])[0];
// find's record for its own /proc/self/: name, type, mode, user, group, uid, gid, size, link target
const self = (user: string, group: string, uid: string, gid: string) =>
  `stat\x00/proc/self/\x00d\x00555\x00${user}\x00${group}\x00${uid}\x00${gid}\x00${0}\x00\x00`;

describe('identity: who creates files, from the probe’s own process', () => {
  it('reads the names of find’s effective user and group from its /proc/self, and the umask', () => {
    expect(parse(`identity\x00umask\x00${'0027\n'}\x00${self('noptest', 'staff', '1001', '1002')}`)).toEqual({ user: 'noptest', group: 'staff', umask: 0o27 });
  });

  it('an id without a name (find prints the number) is no name', () => {
    expect(parse(`identity\x00umask\x00${'0022\n'}\x00${self('4242', 'staff', '4242', '50')}`)).toEqual({ user: '', group: 'staff', umask: 0o22 });
  });

  it('without a record of /proc/self/ there is no identity, never another path’s owner', () => {
    const other = 'stat\x00/etc/passwd\x00f\x00644\x00root\x00root\x00000\x000\x00100\x00\x00';
    expect(parse(`identity\x00umask\x00${'0022\n'}\x00${other}`)).toBeInstanceOf(Error);
  });

  // where /proc does not tell (not mounted, or a process whose ids differ is owned by root there): `id`
  it('reads id’s output where /proc does not tell: the effective ids win, an id without a name is no name', () => {
    expect(parse(`id\x00uid=1001(noptest) gid=1002(staff) groups=1002(staff),27(sudo)\n\x00umask\x00${'0027\n'}\x00`)).toEqual({
      user: 'noptest',
      group: 'staff',
      umask: 0o27,
    });
    expect(parse(`id\x00uid=1001(alice) gid=1001(alice) euid=0(root) egid=0(root) groups=1001(alice)\n\x00umask\x00${'0022\n'}\x00`)).toEqual({
      user: 'root',
      group: 'root',
      umask: 0o22,
    });
    expect(parse(`id\x00uid=4242 gid=4242 groups=4242\n\x00umask\x00${'0022\n'}\x00`)).toEqual({ user: '', group: '', umask: 0o22 });
  });

  it('is id’s where there is no /proc to ask', async () => {
    // a mount namespace without /proc: the probe's shell finds no entry of its own and asks id
    const launcher = ['unshare', '--mount', '--propagation', 'private', '/bin/sh', '-c', 'umount -l /proc && exec "$0" "$@"'];
    const store = createFactStore(localTransport({ launcher }));
    const id = (...args: string[]) => execFileSync(args[0], args.slice(1)).toString().trim();
    expect(await store.reader(undefined).read(identity, undefined)).toMatchObject({ user: id('id', '-un'), group: id('id', '-gn') });
  });

  it('is what id says, for the login user and for a become user', async () => {
    const store = createFactStore(localTransport());
    const id = (...args: string[]) => execFileSync(args[0], args.slice(1)).toString().trim();
    expect(await store.reader(undefined).read(identity, undefined)).toMatchObject({ user: id('id', '-un'), group: id('id', '-gn') });
    const user = TEST_USERS.passwordless;
    expect(await store.reader({ user }).read(identity, undefined)).toMatchObject({
      user: id('sudo', '-n', '-u', user, 'id', '-un'),
      group: id('sudo', '-n', '-u', user, 'id', '-gn'),
    });
  });
});
