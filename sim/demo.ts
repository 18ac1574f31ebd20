/**
 * `npm start`: a simulated 8×H100 server on this machine, set up end to end by playbooks/setup.yml with live
 * progress and the recap. The simulated host has its own root (sim/host/sandbox.ts), its services listen on
 * loopback ports shifted clear of a real node's, its chain runs on wall time, and everything is removed
 * afterwards except a copy of the rendered files.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { packageRoot } from '../lib/runner/paths.js';
import { runPlaybook } from '../lib/runner/run-playbook.js';
import { plainReporter } from '../lib/report/plain-reporter.js';
import { liveReporter } from '../lib/report/live-reporter.js';
import { startDemoHost } from './demo-host.js';

const main = async (): Promise<number> => {
  const work = await mkdtemp(join(tmpdir(), 'nop-demo-'));
  // the model download takes a few seconds, so its live progress (bytes of total, rate, ETA) is seen
  const { host, inventory, close } = await startDemoHost(work, {
    hf: { shard_bytes: 24e6, bytes_per_second: 8e6 },
    scenario: { syncBlocksPerSecond: 400, modelLoadSeconds: 4 },
  });
  const write = (s: string) => void process.stdout.write(s);
  const reporter = process.stdout.isTTY && !process.env.CI ? liveReporter(write) : { sink: plainReporter(write), close: async () => undefined };
  write(`nop demo: a simulated 8×H100 server in ${host.dir}\n`);
  try {
    const summary = await runPlaybook({
      playbook: join(packageRoot, 'playbooks', 'setup.yml'),
      inventories: [inventory],
      emit: reporter.sink,
      connect: async () => host.transport(),
    });
    await reporter.close();
    const keep = join(process.cwd(), '.nop', 'demo');
    await rm(keep, { recursive: true, force: true });
    await cp(host.path('/opt/gonka/deploy/join'), keep, { recursive: true, filter: (src) => !/\.(tmkms|inference|dapi)$/.test(src) });
    write(`\nRendered files (a copy, the simulated server is gone): ${relative(process.cwd(), keep) || '.'}/\n`);
    write(`Next, on your own servers:\n`);
    write(`  cp inventory/single-server.yml inventory/mine.yml   # set public_ip, key workflow, password file\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml --check --diff\n`);
    write(`  npx nop run playbooks/setup.yml -i inventory/mine.yml\n`);
    return summary.code;
  } finally {
    await close();
    await rm(work, { recursive: true, force: true });
  }
};

process.exitCode = await main();
