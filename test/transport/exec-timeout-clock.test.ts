// The deadline of a command run with a timeout is measured from when nop sent it: a loaded controller may handle the
// opened channel long after the host started the command, and the host's `timeout` (exit 124) must still read as
// "timed out", not as the command's own exit code 124 with no reason.
import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import { execOnChannel } from '../../lib/transport/ssh-exec.js';
import type { SshClient } from '../../lib/transport/ssh-connection.js';

class FakeChannel extends EventEmitter {
  stderr = new EventEmitter();
  end(): void {}
  write(): boolean {
    return true;
  }
  close(): void {}
}

// a client that opens the channel only after the host's timeout already fired, then reports `timeout`'s exit
const lateClient = (lateMs: number): SshClient =>
  ({
    exec: (_command: string, cb: (err: Error | undefined, channel: FakeChannel) => void) => {
      setTimeout(() => {
        const channel = new FakeChannel();
        cb(undefined, channel);
        channel.emit('exit', 124);
        channel.emit('close');
      }, lateMs);
    },
  }) as unknown as SshClient;

it('a remote timeout seen late is still a timeout, with its reason', async () => {
  const res = await execOnChannel(lateClient(60), { script: 'sleep 5', timeoutMs: 50 });
  expect(res.code).toBe(124);
  expect(res.stderr).toMatch(/command timed out after 50 ms/);
});
