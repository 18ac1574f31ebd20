import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../sim/host/paths.js';
import { UnreachableError } from '../../lib/transport/transport.js';
import { results, workspace, type Workspace } from './helpers.js';

// issue 14 item 9: the README's example inventory works as written. setup.yml is run over it with every host out of
// reach: the check before the first change validates every role's variables on every host first, so a variable the
// example lacks would be listed; with none, only the hosts' reachability is left (exit 4)
const readmeInventory = async (): Promise<string> => {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const block = /```yaml\n# inventory\/hosts\.yml\n([\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README.md has no '# inventory/hosts.yml' example");
  return block[1];
};

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await copyFile(join(REPO_ROOT, 'playbooks/setup.yml'), join(ws.dir, 'setup.yml'));
});
afterEach(() => ws.cleanup());

const unreachable = async (host: string): Promise<never> => {
  throw new UnreachableError(`${host}: not reached in this test`);
};

describe("the README's example inventory", () => {
  it("gives every variable setup.yml's roles need on every host (the keyring password asked on a terminal)", async () => {
    await ws.write('inventory.yml', await readmeInventory());
    const res = await ws.run('setup.yml', { connect: unreachable, extraVars: { keyring_password: 'a-long-keyring-password' } });
    const failed = results(res.events).filter((r) => r.status === 'failed');
    expect(failed.map((r) => `${r.host}: ${String(r.result.msg)}`)).toEqual([]);
    expect(res.code).toBe(4);
    expect(Object.keys(res.stats).sort()).toEqual(['gpu01.dc1', 'gpu02.dc1', 'net1']);
  });

  it('a variable missing from it would be listed (the check can fail)', async () => {
    await ws.write('inventory.yml', (await readmeInventory()).replace('{ network_node: net1, private_ip: 10.0.0.11 }', '{ network_node: net1 }'));
    const res = await ws.run('setup.yml', { connect: unreachable, extraVars: { keyring_password: 'a-long-keyring-password' } });
    const failed = results(res.events).filter((r) => r.status === 'failed');
    expect(failed.map((r) => `${r.host}: ${String(r.result.msg)}`)).toEqual([
      "gpu01.dc1: role 'config': variable 'private_ip': is required on an ML node whose network node is another server",
    ]);
  });
});
