import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';
import { results, workspace, type Workspace } from '../runner/helpers.js';

// Day-2 playbooks and commands on a server where nothing is deployed say so and fail: "healthy" or "every image
// is current" about a bare server would be a lie. The server is this machine (a local connection), its deploy dir
// an empty directory.

const nop = (args: string[], cwd: string) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'nop.js'), ...args], { cwd, env: { ...process.env, CI: '1' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
  const deploy = join(ws.dir, 'deploy');
  await ws.write('deploy/.keep', '');
  await ws.write(
    'inventory.yml',
    `all:\n  vars:\n    ansible_connection: local\n    gonka_deploy_dir: ${deploy}\n    nop_lock_file: ${join(ws.dir, 'lock')}\n  children:\n    network_nodes:\n      hosts:\n        bare:\n    ml_nodes:\n      hosts:\n        bare:\n`,
  );
});
afterAll(() => ws.cleanup());

describe('day 2 on a server with nothing deployed', () => {
  for (const playbook of ['repair.yml', 'update.yml', 'decommission.yml']) {
    it(`${playbook} fails naming the missing deployment and how to set it up`, async () => {
      const run = await ws.run(playbook, { playbook: join(packageRoot, 'playbooks', playbook) });
      const failed = results(run.events).filter((r) => r.status === 'failed');
      expect(failed).toHaveLength(1);
      expect(String(failed[0].result.msg)).toMatch(
        /nothing is deployed on bare: neither .*docker-compose\.yml nor .*docker-compose\.mlnode\.yml exists; set it up first: nop run playbooks\/setup\.yml/,
      );
      expect(run.code).toBe(2);
    });
  }

  it('ml-node list says how to deploy and exits 1', async () => {
    const res = await nop(['ml-node', 'list', '-i', 'inventory.yml', '-l', 'bare'], ws.dir);
    expect(res.stderr).toMatch(/ERROR! nothing is deployed on bare: no .*docker-compose\.yml; set it up first: nop run playbooks\/setup\.yml/);
    expect(res.code).toBe(1);
  });
});
