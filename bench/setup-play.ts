/**
 * The shipped playbooks/setup.yml on the demo's simulated 8×H100 server (sim/demo-host.ts): for each of its plays,
 * the remote commands, uploads and reads that reached the host, and the play's time; once on the bare server (the
 * first run) and once more on the server it set up (the second run). The simulated chain syncs in about a second
 * and loads the model in one, so the time is nop's and the simulated host's, not a network's.
 * Usage: npm run bench:setup
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../lib/runner/paths.js';
import { runPlaybook } from '../lib/runner/run-playbook.js';
import type { RunEvent } from '../lib/runner/types.js';
import type { Transport } from '../lib/transport/transport.js';
import { startDemoHost } from '../sim/demo-host.js';

interface Ops {
  commands: number;
  uploads: number;
  reads: number;
}

interface PlayCost extends Ops {
  name: string;
  seconds: number;
}

/** The host's transport, counting every operation that reaches it (a batch of changes is one command). */
const counted = (t: Transport, ops: Ops): Transport => ({
  ...t,
  exec: (script, opts) => {
    ops.commands++;
    return t.exec(script, opts);
  },
  put: (dest, content, opts) => {
    ops.uploads++;
    return t.put(dest, content, opts);
  },
  putFile: (dest, path, opts) => {
    ops.uploads++;
    return t.putFile(dest, path, opts);
  },
  get: (path, opts) => {
    ops.reads++;
    return t.get(path, opts);
  },
});

const runSetup = async (transport: () => Transport, inventory: string, operator: (e: RunEvent) => void): Promise<{ plays: PlayCost[]; code: number }> => {
  const ops: Ops = { commands: 0, uploads: 0, reads: 0 };
  const plays: PlayCost[] = [];
  let at = { ...ops, start: 0 };
  const emit = (e: RunEvent) => {
    operator(e);
    if (e.type === 'play_start') at = { ...ops, start: performance.now() };
    if (e.type === 'play_end')
      plays.push({
        name: e.name,
        commands: ops.commands - at.commands,
        uploads: ops.uploads - at.uploads,
        reads: ops.reads - at.reads,
        seconds: (performance.now() - at.start) / 1000,
      });
  };
  const summary = await runPlaybook({
    playbook: join(packageRoot, 'playbooks', 'setup.yml'),
    inventories: [inventory],
    emit,
    connect: async () => counted(transport(), ops),
  });
  return { plays, code: summary.code };
};

const main = async (): Promise<number> => {
  const work = await mkdtemp(join(tmpdir(), 'nop-bench-setup-'));
  const demo = await startDemoHost(work, {
    hf: { shard_bytes: 1e6, bytes_per_second: 1e9 },
    scenario: { syncBlocksPerSecond: 100_000, modelLoadSeconds: 1 },
  });
  try {
    const first = await runSetup(() => demo.host.transport(), demo.inventory, demo.operator);
    const again = await runSetup(() => demo.host.transport(), demo.inventory, demo.operator);
    console.log('playbooks/setup.yml on one simulated 8×H100 server: remote operations and time per play\n');
    console.log('| play | first run: commands / uploads / reads | time | second run: commands / uploads / reads | time |');
    console.log('|---|---:|---:|---:|---:|');
    first.plays.forEach((p, i) => {
      const q = again.plays[i];
      const ops = (c: PlayCost | undefined) => (c ? `${c.commands} / ${c.uploads} / ${c.reads}` : '-');
      const time = (c: PlayCost | undefined) => (c ? `${c.seconds.toFixed(2)} s` : '-');
      console.log(`| ${p.name} | ${ops(p)} | ${time(p)} | ${ops(q)} | ${time(q)} |`);
    });
    if (first.code !== 0 || again.code !== 0) console.log(`\nsetup.yml exited ${first.code}, then ${again.code}`);
    return first.code || again.code;
  } finally {
    await demo.close();
    await rm(work, { recursive: true, force: true });
  }
};

process.exitCode = await main();
