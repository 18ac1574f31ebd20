/**
 * nop beside ansible-playbook (pipelining, ControlPersist), Ansible with Mitogen (Debian's ansible-mitogen, strategy
 * mitogen_linear) and the ssh2 floor (bench/ssh2-floor.ts: ssh2 connecting to every host at once and running one
 * command), on the same 20-task file/copy/lineinfile play (test/helpers/file-play.ts) over real sshd hosts on
 * loopback. For each fleet size: a first run (every tool's files removed before) and a no-change run, each tool in
 * turn, repeated (--reps, default 3) so that a change in the machine's load hits every tool alike; the medians, the
 * ratios, the controller's peak memory, and the goals. Every tool must produce the same files (checked after each
 * run) and change nothing on its no-change run.
 * Usage: npm run bench:fleet [-- --sizes 1,8,32,128] [--reps 3] [--tools nop,floor,ansible,mitogen] [--cpu-prof DIR] [--base DIR]
 * --cpu-prof DIR writes a V8 CPU profile of every nop run into DIR (node --cpu-prof: open it in Chrome's DevTools).
 * --base DIR adds the tool `base`: the nop built in DIR (another commit's checkout, `npm run build` there), run in
 * turn with the others, so a change is measured against what it changes under the same load.
 * Installs what it compares against with apt-get when missing (ansible-core, ansible-mitogen, GNU time).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { filePlaybook } from '../test/helpers/file-play.js';
import { type SshdFleet, startSshdHosts, TEST_USERS } from '../test/helpers/sshd.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '1,8,32,128').split(',').map(Number);
const REPS = Number(arg('--reps') ?? 3);
const TOOLS = (arg('--tools') ?? 'nop,floor,ansible,mitogen').split(',') as Tool[];
const CPU_PROF = arg('--cpu-prof');
const BASE = arg('--base');
if (BASE && !TOOLS.includes('base')) TOOLS.splice(TOOLS.indexOf('nop') + 1, 0, 'base');

type Tool = 'nop' | 'base' | 'floor' | 'ansible' | 'mitogen';
type Kind = 'first' | 'again';

// every tool waits this long for a host's SSH handshake: a loaded machine's sshd answers late, and a bench that
// counts a slow host as unreachable measures nothing
const CONNECT_TIMEOUT_S = 60;

const MITOGEN_STRATEGIES = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

const which = (cmd: string) =>
  run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );
const exists = (path: string) =>
  lstat(path).then(
    () => true,
    () => false,
  );

// the bench installs what it compares against, as Debian packages them, and GNU time for peak memory
const ensureTools = async (): Promise<void> => {
  const wanted: [Tool | 'time', string, () => Promise<boolean>][] = [
    ['time', 'time', () => exists('/usr/bin/time')],
    ['ansible', 'ansible-core', () => which('ansible-playbook')],
    ['mitogen', 'ansible-mitogen', () => exists(MITOGEN_STRATEGIES)],
  ];
  const missing: string[] = [];
  for (const [tool, pkg, present] of wanted) if ((tool === 'time' || TOOLS.includes(tool)) && !(await present())) missing.push(pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: run  apt-get install -y ${missing.join(' ')}`);
  console.error(`installing ${missing.join(', ')} with apt-get ...`);
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
};

interface Sample {
  seconds: number;
  peakMb: number;
  /** CPU seconds (user and system) of the controller and the processes it started (Ansible's ssh): a shared machine
   * inflates them far less than the wall time */
  cpuSeconds: number;
  /** CPU seconds the hosts' sshd and everything it ran spent on the run, per host: what a run costs a host */
  hostCpuSeconds: number;
  out: string;
}

/** Wall time, peak resident memory and CPU time (GNU time's, of the controller process) of one command. */
const timed = async (argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> => {
  const start = process.hrtime.bigint();
  const out = await new Promise<string>((res, rej) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB=%M CPU_S=%U+%S', ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? res(text) : rej(new Error(`${argv.join(' ')} exited ${code}\n${text.slice(-3000)}`))));
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const kb = Number(/PEAK_KB=(\d+)/.exec(out)?.[1] ?? 0);
  const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(out);
  return { seconds, peakMb: kb / 1024, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN, hostCpuSeconds: Number.NaN, out };
};

const CPUACCT = '/sys/fs/cgroup/cpuacct';

/**
 * The CPU the fleet's hosts spend, counted by the kernel: its sshd daemons go into a cgroup of their own (v1
 * cpuacct), which every connection, session and command they start inherits, whoever reaps them. Undefined where
 * the machine has no cpuacct hierarchy to write (not root): the column then shows '-'.
 */
const hostsCpuGroup = async (fleet: SshdFleet): Promise<{ seconds(): Promise<number>; remove(): Promise<void> } | undefined> => {
  const dir = join(CPUACCT, `nop-bench-${process.pid}-${fleet.hosts.length}`);
  try {
    await mkdir(dir);
    for (const h of fleet.hosts) await writeFile(join(dir, 'cgroup.procs'), String(h.pid()));
  } catch {
    await rmdir(dir).catch(() => undefined);
    return undefined;
  }
  const daemons = fleet.hosts.length;
  return {
    // once every connection of the last run has ended: only the daemons are left in the group
    seconds: async () => {
      while ((await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).length > daemons) await new Promise((r) => setTimeout(r, 20));
      return Number(await readFile(join(dir, 'cpuacct.usage'), 'utf8')) / 1e9;
    },
    // a cgroup is removed once empty: anything left in it goes back to the root group first
    remove: async () => {
      for (const pid of (await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean))
        await writeFile(join(CPUACCT, 'cgroup.procs'), pid).catch(() => undefined);
      await rmdir(dir).catch(() => undefined);
    },
  };
};

/** timed(), and the CPU the run cost each host on average. */
const timedOnHosts = async (hosts: Awaited<ReturnType<typeof hostsCpuGroup>>, n: number, argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> => {
  const before = await hosts?.seconds();
  const sample = await timed(argv, env);
  const after = await hosts?.seconds();
  return { ...sample, hostCpuSeconds: before === undefined || after === undefined ? Number.NaN : (after - before) / n };
};

const inventory = (fleet: SshdFleet) =>
  `[all]\n${fleet.hosts
    .map(
      (h, i) =>
        `h${i + 1} ansible_host=${h.address} ansible_port=${h.port} ansible_user=${TEST_USERS.passwordless} ansible_ssh_private_key_file=${fleet.clientKey} work_dir=${h.workDir}`,
    )
    .join('\n')}\n`;

const ansibleCfg = (fleet: SshdFleet, forks: number, controlDir: string, mitogen: boolean) => `[defaults]
forks = ${forks}
gathering = explicit
timeout = ${CONNECT_TIMEOUT_S}
retry_files_enabled = False
host_key_checking = True
interpreter_python = /usr/bin/python3
stdout_callback = default
${mitogen ? `strategy_plugins = ${MITOGEN_STRATEGIES}\nstrategy = mitogen_linear\n` : ''}[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=${controlDir}/%C -o UserKnownHostsFile=${fleet.knownHostsPath}
`;

/** What a tool left on a host: every path below its directory with its type, mode and content's hash. */
const tree = async (dir: string, rel = ''): Promise<string[]> => {
  const out: string[] = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = join(rel, name);
    const st = await lstat(join(dir, path));
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isDirectory()) out.push(`${path}/ ${mode}`, ...(await tree(dir, path)));
    else
      out.push(
        `${path} ${mode} ${createHash('sha256')
          .update(await readFile(join(dir, path)))
          .digest('hex')
          .slice(0, 16)}`,
      );
  }
  return out;
};

const sameFiles = async (fleet: SshdFleet, tool: Tool, reference: Tool): Promise<void> => {
  for (const h of fleet.hosts) {
    const [got, want] = await Promise.all([tree(join(h.workDir, tool)), tree(join(h.workDir, reference))]);
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`${tool} and ${reference} left different files on ${h.address}:\n${got.join('\n')}\n---\n${want.join('\n')}`);
  }
};

// a no-change run must say so: every host with changed=0 in the recap
const unchanged = (tool: Tool, out: string, n: number) => {
  if (tool === 'floor') return;
  const recaps = out.split('\n').filter((l) => /\bok=\d+\s+changed=\d+/.test(l));
  if (recaps.length !== n || recaps.some((l) => !/changed=0\b/.test(l))) throw new Error(`${tool}'s no-change run changed something:\n${out.slice(-2000)}`);
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Results = Record<Tool, Record<Kind, Sample[]>>;

const measure = async (n: number): Promise<Results> => {
  const fleet = await startSshdHosts(n);
  const dir = await mkdtemp(join(tmpdir(), 'nop-bench-'));
  const hostsCpu = await hostsCpuGroup(fleet);
  try {
    await writeFile(join(dir, 'inventory.ini'), inventory(fleet));
    await writeFile(join(dir, 'site.yml'), filePlaybook('{{ work_dir }}/{{ tool }}'));
    await writeFile(
      join(dir, 'floor.json'),
      JSON.stringify({
        key: fleet.clientKey,
        knownHosts: fleet.knownHostsPath,
        timeoutMs: CONNECT_TIMEOUT_S * 1000,
        hosts: fleet.hosts.map((h) => ({ address: h.address, port: h.port, user: TEST_USERS.passwordless })),
      }),
    );
    const nopArgv = (bin: string, tool: Tool) => [
      process.execPath,
      ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF, `${n}-hosts`, tool)}`] : []),
      bin,
      'run',
      join(dir, 'site.yml'),
      '-i',
      join(dir, 'inventory.ini'),
      '-f',
      String(n),
      '-e',
      `tool=${tool}`,
      '--known-hosts',
      fleet.knownHostsPath,
      '-T',
      String(CONNECT_TIMEOUT_S),
    ];
    const argv: Record<Tool, string[]> = {
      nop: nopArgv(join(repo, 'bin', 'nop.js'), 'nop'),
      base: nopArgv(join(resolve(BASE ?? repo), 'bin', 'nop.js'), 'base'),
      floor: [process.execPath, join(repo, 'dist', 'bench', 'ssh2-floor.js'), join(dir, 'floor.json')],
      ansible: ['ansible-playbook', '-i', join(dir, 'inventory.ini'), join(dir, 'site.yml'), '-e', 'tool=ansible'],
      mitogen: ['ansible-playbook', '-i', join(dir, 'inventory.ini'), join(dir, 'site.yml'), '-e', 'tool=mitogen'],
    };
    const results = Object.fromEntries(TOOLS.map((t) => [t, { first: [], again: [] }])) as unknown as Results;
    for (let rep = 0; rep < REPS; rep++) {
      for (const tool of TOOLS) {
        // Ansible's first run opens its connections anew (a fresh ControlPath); its no-change run reuses them
        const controlDir = await mkdtemp(join(tmpdir(), 'nop-bench-cp-'));
        const cfg = join(dir, `${tool}.cfg`);
        await writeFile(cfg, ansibleCfg(fleet, n, controlDir, tool === 'mitogen'));
        const env = { ...process.env, CI: '1', ANSIBLE_CONFIG: cfg };
        await Promise.all(fleet.hosts.map((h) => rm(join(h.workDir, tool), { recursive: true, force: true })));
        const first = await timedOnHosts(hostsCpu, n, argv[tool], env);
        if (tool !== 'floor' && tool !== 'nop' && TOOLS.includes('nop')) await sameFiles(fleet, tool, 'nop');
        const again = await timedOnHosts(hostsCpu, n, argv[tool], env);
        unchanged(tool, again.out, n);
        if (tool !== 'floor' && tool !== 'nop' && TOOLS.includes('nop')) await sameFiles(fleet, tool, 'nop');
        results[tool].first.push(first);
        results[tool].again.push(again);
        await run('sh', ['-c', `for s in ${controlDir}/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x 2>/dev/null; done; true`]);
        await rm(controlDir, { recursive: true, force: true });
      }
    }
    return results;
  } finally {
    // after the daemons and every connection of theirs are gone: a group still holding a process cannot be removed
    await fleet.stopAll();
    await hostsCpu?.remove();
    await rm(dir, { recursive: true, force: true });
  }
};

const secs = (s: number | undefined) => (s === undefined ? '-' : `${s.toFixed(2)} s`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '-' : `${(a / b).toFixed(2)}×`);
const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);

const main = async () => {
  await ensureTools();
  const ansible = TOOLS.some((t) => t === 'ansible' || t === 'mitogen') ? (await run('ansible-playbook', ['--version'])).stdout.split('\n')[0] : 'not run';
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}; node ${process.version}; ${ansible}; ${REPS} runs of each, medians`);
  const goals: string[] = [];
  for (const n of SIZES) {
    const loadBefore = loadavg()[0];
    const r = await measure(n);
    const med = (tool: Tool, kind: Kind) => (r[tool] ? median(r[tool][kind].map((s) => s.seconds)) : undefined);
    const cpu = (tool: Tool, kind: Kind) => (r[tool] ? median(r[tool][kind].map((s) => s.cpuSeconds)) : undefined);
    const hostCpu = (tool: Tool, kind: Kind) => (r[tool] ? median(r[tool][kind].map((s) => s.hostCpuSeconds)) : undefined);
    const ms = (s: number | undefined) => (s === undefined || Number.isNaN(s) ? '-' : `${(s * 1000).toFixed(0)} ms`);
    const peak = (tool: Tool) => (r[tool] ? Math.max(...r[tool].first.map((s) => s.peakMb), ...r[tool].again.map((s) => s.peakMb)) : undefined);
    console.log(`\n${n} host${n === 1 ? '' : 's'} (load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after)`);
    row([
      'tool',
      'first run',
      'no-change run',
      'CPU first / no-change',
      'host CPU per host, first / no-change',
      'peak RSS',
      'first / floor',
      'no-change / floor',
      'no-change / nop',
    ]);
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']);
    for (const tool of TOOLS) {
      const p = peak(tool);
      row([
        tool,
        secs(med(tool, 'first')),
        secs(med(tool, 'again')),
        `${secs(cpu(tool, 'first'))} / ${secs(cpu(tool, 'again'))}`,
        `${ms(hostCpu(tool, 'first'))} / ${ms(hostCpu(tool, 'again'))}`,
        p === undefined ? '-' : `${p.toFixed(0)} MB`,
        ratio(med(tool, 'first'), med('floor', 'first')),
        ratio(med(tool, 'again'), med('floor', 'again')),
        ratio(med(tool, 'again'), med('nop', 'again')),
      ]);
    }
    const nopAgain = med('nop', 'again');
    const nopFirst = med('nop', 'first');
    const floor = med('floor', 'again');
    const floorFirst = med('floor', 'first');
    if (n >= 8 && nopAgain && floor) goals.push(`${n} hosts: no-change ${(nopAgain / floor).toFixed(2)}× the floor (goal ≤ 1.5×)`);
    if (n >= 8 && nopFirst && floorFirst) goals.push(`${n} hosts: first run ${(nopFirst / floorFirst).toFixed(2)}× the floor (goal ≤ 2.5×)`);
    const mitogen = med('mitogen', 'again');
    if (n === 32 && nopAgain && mitogen) goals.push(`32 hosts: no-change ${(mitogen / nopAgain).toFixed(1)}× faster than Ansible with Mitogen (goal ≥ 20×)`);
    const p = peak('nop');
    if (n === 128 && p !== undefined) goals.push(`128 hosts: nop's peak memory ${p.toFixed(0)} MB (goal < 200 MB)`);
  }
  if (goals.length) console.log(`\ngoals:\n${goals.map((g) => `  ${g}`).join('\n')}`);
};

await main();
