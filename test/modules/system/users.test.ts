import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupModule } from '../../../lib/modules/builtin/group.js';
import { userModule } from '../../../lib/modules/builtin/user.js';
import { canSandbox, createSandboxHost, type SandboxHost } from '../../helpers/sandbox-host.js';
import { runModule } from '../helpers.js';

// a SHA-512 crypt of "secret"
const HASH = '$6$saltsalt$WrR1zSy3ykvvTjGQCG4OfXl.4gzHDDjGbzFAvDEmNnrWXQoLsZ9aVsLv7wkq.SIPbEd4MyNq4L5o8/yLK6j7o/';

describe.skipIf(!canSandbox)('user and group (in a sandbox)', () => {
  let host: SandboxHost;
  beforeAll(async () => {
    host = await createSandboxHost();
  });
  afterAll(() => host?.close());
  const run = (def: Parameters<typeof runModule>[0], args: unknown, check = false) => runModule(def, args, { transport: host.transport(), check });
  const sh = async (script: string) => (await host.sh(script)).stdout;

  it('creates a group with a gid once, then changes the gid, then removes it', async () => {
    expect(await run(groupModule, { name: 'deployers', gid: 2100 }, true)).toMatchObject({ changed: true });
    expect(await sh('getent group deployers; true')).toBe('');
    expect(await run(groupModule, { name: 'deployers', gid: 2100 })).toMatchObject({
      changed: true,
      name: 'deployers',
      gid: 2100,
      state: 'present',
      system: false,
    });
    expect(await run(groupModule, { name: 'deployers', gid: 2100 })).toMatchObject({ changed: false, gid: 2100 });
    expect(await run(groupModule, { name: 'deployers', gid: 2101 })).toMatchObject({ changed: true, gid: 2101 });
    expect(await sh('getent group deployers')).toBe('deployers:x:2101:\n');
    expect(await run(groupModule, { name: 'deployers', state: 'absent' })).toMatchObject({ changed: true });
    expect(await run(groupModule, { name: 'deployers', state: 'absent' })).toMatchObject({ changed: false });
  });

  it('creates a user with groups, shell, home and a password hash (set on stdin); a second run changes nothing', async () => {
    await run(groupModule, { name: 'ops' });
    const args = { name: 'deploy', uid: 2200, shell: '/bin/bash', groups: ['ops'], comment: 'Deploy user', password: HASH };
    expect(await run(userModule, args, true)).toMatchObject({ changed: true });
    expect(await sh('getent passwd deploy; true')).toBe('');
    const made = await run(userModule, args);
    expect(made).toMatchObject({
      changed: true,
      name: 'deploy',
      uid: 2200,
      shell: '/bin/bash',
      home: '/home/deploy',
      comment: 'Deploy user',
      groups: 'ops',
      password: 'NOT_LOGGING_PASSWORD',
    });
    expect(await sh('getent passwd deploy; id -nG deploy; getent shadow deploy | cut -d: -f2; stat -c %U /home/deploy')).toBe(
      `deploy:x:2200:2200:Deploy user:/home/deploy:/bin/bash\ndeploy ops\n${HASH}\ndeploy\n`,
    );
    expect(await run(userModule, args)).toMatchObject({ changed: false, append: false, uid: 2200, group: 2200 });
  });

  it('changes only what differs: shell, appended groups, a lock; groups without append replace the list', async () => {
    await run(groupModule, { name: 'docker' });
    expect(await run(userModule, { name: 'deploy', shell: '/bin/sh', groups: 'docker', append: true })).toMatchObject({ changed: true, shell: '/bin/sh' });
    expect(await sh('id -nG deploy')).toBe('deploy ops docker\n');
    expect(await run(userModule, { name: 'deploy', groups: 'docker', append: true })).toMatchObject({ changed: false });
    expect(await run(userModule, { name: 'deploy', groups: ['docker'] })).toMatchObject({ changed: true });
    expect(await sh('id -nG deploy')).toBe('deploy docker\n');
    expect(await run(userModule, { name: 'deploy', password_lock: true })).toMatchObject({ changed: true });
    expect(await sh('getent shadow deploy | cut -c1-9')).toBe('deploy:!$\n');
    expect(await run(userModule, { name: 'deploy', password_lock: true })).toMatchObject({ changed: false });
  });

  it('refuses a group that does not exist, and removes a user with its home', async () => {
    expect(await run(userModule, { name: 'x', groups: ['nosuch'] })).toMatchObject({ failed: true, msg: 'Group nosuch does not exist' });
    expect(await run(userModule, { name: 'deploy', state: 'absent', remove: true })).toMatchObject({ changed: true, force: false, remove: true });
    expect(await sh('getent passwd deploy; test -e /home/deploy; echo $?')).toBe('1\n');
  });
});
