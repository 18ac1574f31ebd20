/**
 * How long `nop run` takes from its start to its first SSH connection: the part of every run that no host can
 * make faster (loading nop, the playbook and the inventory). A TCP listener on loopback stands in for the host and
 * notes when nop connects; nop is then cut off (the host counts as unreachable) and the next sample starts.
 * Usage: npm run bench:startup [-- --runs 15] [-- --compare OTHER/bin/nop.js]
 * Prints the median and the spread, with `node -e 0` for comparison (the floor of any Node.js program), of the wall
 * time and of the CPU time the process had used by then (Linux: /proc), which a machine shared with other work
 * inflates far less than the wall time. nop's V8 code cache (lib/cli/compile-cache.ts) lives in the bench's own
 * directory: one run to the end writes it, as a user's first run does; nop is also timed without it. --compare times
 * another nop (an older build) in the same interleaved runs.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const nopBin = resolve(import.meta.dirname, '..', '..', 'bin', 'nop.js');

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 15);
const compared = arg('--compare');

// a play a real run would start with: a file, a copy and a template, so their modules load
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: /tmp/nop-startup-bench, state: directory }
    - copy: { dest: /tmp/nop-startup-bench/a, content: "a\\n" }
    - lineinfile: { path: /tmp/nop-startup-bench/b, line: "b", create: true }
`;

interface Sample {
  /** wall milliseconds from spawning until `connected` resolved or the process exited */
  ms: number;
  /** CPU milliseconds (user and system) the process had used by then */
  cpuMs: number;
}

// the CPU time of each of its threads, in nanoseconds, is the first field of /proc/PID/task/TID/schedstat (utime and
// stime of /proc/PID/stat count in clock ticks, 10 ms each: too coarse for a difference of a few ms)
const cpuMsOf = (pid: number): number =>
  readdirSync(`/proc/${pid}/task`).reduce((ms, tid) => ms + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6, 0);

/** Node.js doing nothing: until it exits, and the CPU time it reports using (its own measure, /proc is gone by then). */
const nodeAlone = async (): Promise<Sample> => {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000))']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise<void>((done) => child.once('close', () => done()));
  return { ms: performance.now() - start, cpuMs: Number(out) };
};

/** Spawn nop and sample it when it connects (or exits, then without its CPU time). */
const sample = async (argv: string[], env: NodeJS.ProcessEnv, connected: Promise<void>): Promise<Sample> => {
  const start = performance.now();
  const child = spawn(process.execPath, argv, { stdio: 'ignore', env: { ...process.env, CI: '1', ...env } });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await Promise.race([connected, exited]);
  const ms = performance.now() - start;
  const cpuMs = child.exitCode === null && child.pid ? cpuMsOf(child.pid) : Number.NaN;
  child.kill('SIGKILL');
  await exited;
  return { ms, cpuMs };
};

const firstConnection = async (dir: string, bin: string, env: NodeJS.ProcessEnv): Promise<Sample> => {
  let onConnect!: () => void;
  const connected = new Promise<void>((done) => (onConnect = done));
  const server = createServer((socket) => {
    onConnect();
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await writeFile(join(dir, 'inventory.ini'), `[all]\nh1 ansible_host=127.0.0.1 ansible_port=${port} ansible_user=nobody\n`);
  try {
    return await sample([bin, 'run', join(dir, 'site.yml'), '-i', join(dir, 'inventory.ini'), '--known-hosts', join(dir, 'known_hosts')], env, connected);
  } finally {
    server.close();
  }
};

/** A run to its end (the host refuses the connection): it writes nop's code cache, as a user's first run does. */
const firstRun = async (dir: string, bin: string, env: NodeJS.ProcessEnv): Promise<void> => {
  await writeFile(join(dir, 'inventory.ini'), '[all]\nh1 ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n');
  const child = spawn(process.execPath, [bin, 'run', join(dir, 'site.yml'), '-i', join(dir, 'inventory.ini'), '--known-hosts', join(dir, 'known_hosts')], {
    stdio: 'ignore',
    env: { ...process.env, CI: '1', ...env },
  });
  await new Promise<void>((done) => child.once('exit', () => done()));
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (samples: Sample[]) => {
  const ms = samples.map((s) => s.ms);
  const cpu = samples.map((s) => s.cpuMs).filter((c) => !Number.isNaN(c));
  return `median ${median(ms).toFixed(0)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)} ms), CPU median ${median(cpu).toFixed(0)} ms`;
};

const main = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-startup-'));
  try {
    await writeFile(join(dir, 'site.yml'), PLAYBOOK);
    await writeFile(join(dir, 'known_hosts'), '');
    const cached = { XDG_CACHE_HOME: join(dir, 'cache') };
    const uncached = { NODE_DISABLE_COMPILE_CACHE: '1' };
    for (const bin of [nopBin, compared ?? []].flat()) await firstRun(dir, bin, cached);
    const node: Sample[] = [];
    const nop: Sample[] = [];
    const cold: Sample[] = [];
    const other: Sample[] = [];
    // interleaved, so a change in the machine's load hits all alike
    for (let i = 0; i < runs; i++) {
      node.push(await nodeAlone());
      nop.push(await firstConnection(dir, nopBin, cached));
      cold.push(await firstConnection(dir, nopBin, uncached));
      if (compared) other.push(await firstConnection(dir, compared, cached));
    }
    console.log(`load average ${loadavg()[0].toFixed(2)}; ${runs} runs each`);
    console.log(`node -e 0:                                ${summary(node)}`);
    console.log(`nop run → first connection:               ${summary(nop)}`);
    console.log(`  the same without its V8 code cache:     ${summary(cold)}`);
    if (compared) console.log(`${compared} → first connection: ${summary(other)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

await main();
