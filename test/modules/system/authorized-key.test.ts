import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editAuthorizedKeys } from '../../../lib/modules/builtin/authorized-keys-edit.js';
import { authorizedKeyModule } from '../../../lib/modules/builtin/authorized_key.js';
import { userModule } from '../../../lib/modules/builtin/user.js';
import { canSandbox, createSandboxHost, type SandboxHost } from '../../helpers/sandbox-host.js';
import { runModule } from '../helpers.js';

const A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa alice@laptop';
const B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb bob@desk';
const edit = (existing: string, o: Partial<Parameters<typeof editAuthorizedKeys>[1]> & { keys: string }) =>
  editAuthorizedKeys(existing, { present: true, exclusive: false, ...o });

describe('authorized_keys edits (Ansible semantics)', () => {
  it('adds after existing keys, leaves a present key alone, removes one', () => {
    expect(edit(`${A}\n`, { keys: B })).toBe(`${A}\n${B}\n`);
    expect(edit(`# mine\n${A}\n`, { keys: A })).toBe(`# mine\n${A}\n`);
    expect(edit(`${A}\n${B}\n`, { keys: A, present: false })).toBe(`${B}\n`);
  });

  it('replaces a key whose options or comment differ, moving it last', () => {
    expect(edit(`${A}\n${B}\n`, { keys: A, keyOptions: 'no-pty,from="10.0.0.0/8"' })).toBe(`${B}\nno-pty,from="10.0.0.0/8" ${A}\n`);
    expect(edit(`${A}\n`, { keys: A, comment: 'ops' })).toBe(`${A.replace('alice@laptop', 'ops')}\n`);
  });

  it('keeps only the given keys with exclusive, and writes a key without comment as Ansible does (trailing blank)', () => {
    expect(edit(`${A}\n${B}\n`, { keys: B, exclusive: true })).toBe(`${B}\n`);
    expect(edit('', { keys: 'ssh-ed25519 AAAAkey' })).toBe('ssh-ed25519 AAAAkey \n');
    expect(() => edit('', { keys: 'not a key' })).toThrow('invalid key specified: not a key');
  });
});

describe.skipIf(!canSandbox)('authorized_key (in a sandbox)', () => {
  let host: SandboxHost;
  beforeAll(async () => {
    host = await createSandboxHost();
    await runModule(userModule, { name: 'alice' }, { transport: host.transport() });
  });
  afterAll(() => host?.close());
  const run = (args: unknown, check = false) => runModule(authorizedKeyModule, args, { transport: host.transport(), check });

  it("creates ~/.ssh (0700) and authorized_keys (0600), the user's, once", async () => {
    expect(await run({ user: 'alice', key: `${A}\n${B}` }, true)).toMatchObject({ changed: true });
    expect((await host.sh('test -e /home/alice/.ssh; echo $?')).stdout).toBe('1\n');
    expect(await run({ user: 'alice', key: `${A}\n${B}` })).toMatchObject({
      changed: true,
      keyfile: '/home/alice/.ssh/authorized_keys',
      user: 'alice',
      exclusive: false,
    });
    expect((await host.sh('stat -c "%a %U" /home/alice/.ssh /home/alice/.ssh/authorized_keys; cat /home/alice/.ssh/authorized_keys')).stdout).toBe(
      `700 alice\n600 alice\n${A}\n${B}\n`,
    );
    expect(await run({ user: 'alice', key: A })).toMatchObject({ changed: false });
    expect(await run({ user: 'nobody-here', key: A })).toMatchObject({
      failed: true,
      msg: `Failed to lookup user nobody-here: "getpwnam(): name not found: 'nobody-here'"`,
    });
  });
});
