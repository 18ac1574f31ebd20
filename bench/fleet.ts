/**
 * nop vs ansible-playbook on the same idempotent 20-task playbook, over real sshd hosts on loopback.
 * Usage: npm run bench:fleet [-- --sizes 1,8,32]
 * Prints first-run and no-change wall times at each fleet size, nop's peak memory, and the ratio.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startSshdHosts, type SshdFleet } from '../test/helpers/sshd.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');

const sizes = (): number[] => {
  const i = process.argv.indexOf('--sizes');
  return i > 0 ? process.argv[i + 1].split(',').map(Number) : [1, 8, 32];
};

const which = async (cmd: string) =>
  run('sh', ['-c', `command -v ${cmd}`]).then(
    () => true,
    () => false,
  );

// The bench installs what it compares against (Debian's ansible-core 2.14) and GNU time for peak memory.
const ensureTools = async (): Promise<boolean> => {
  const missing = [(await which('ansible-playbook')) ? '' : 'ansible-core', (await which('/usr/bin/time')) ? '' : 'time'].filter(Boolean);
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0) {
    console.error(`missing ${missing.join(', ')}: run  apt-get install -y ${missing.join(' ')}`);
    return false;
  }
  console.error(`installing ${missing.join(', ')} with apt-get ...`);
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return true;
};

const PLAYBOOK = (() => {
  const tasks: string[] = [];
  for (let i = 0; i < 7; i++) {
    tasks.push(`    - name: dir ${i}\n      file: { path: "{{ work_dir }}/{{ tool }}/d${i}", state: directory, mode: "0755" }`);
    tasks.push(`    - name: conf ${i}\n      copy: { dest: "{{ work_dir }}/{{ tool }}/d${i}/app.conf", content: "id=${i}\\nport=80${i}0\\n", mode: "0644" }`);
    if (i < 6)
      tasks.push(
        `    - name: line ${i}\n      lineinfile: { path: "{{ work_dir }}/{{ tool }}/d${i}/extra.conf", line: "debug=${i}", create: true, mode: "0644" }`,
      );
  }
  return `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`;
})();

interface Timing {
  first: number;
  again: number;
  peakMb?: number;
}

const timed = async (argv: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakMb?: number; out: string }> => {
  const start = process.hrtime.bigint();
  const out = await new Promise<string>((res, rej) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_KB=%M', ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('close', (code) => (code === 0 ? res(text) : rej(new Error(`${argv.join(' ')} exited ${code}\n${text.slice(-2000)}`))));
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const kb = /PEAK_KB=(\d+)/.exec(out)?.[1];
  return { seconds, peakMb: kb ? Number(kb) / 1024 : undefined, out };
};

const inventory = (fleet: SshdFleet) =>
  `[all]\n${fleet.hosts
    .map(
      (h, i) =>
        `h${i + 1} ansible_host=${h.address} ansible_port=${h.port} ansible_user=noptest ansible_ssh_private_key_file=${fleet.clientKey} work_dir=${h.workDir}`,
    )
    .join('\n')}\n`;

const ansibleCfg = (fleet: SshdFleet, forks: number) => `[defaults]
forks = ${forks}
gathering = explicit
retry_files_enabled = False
host_key_checking = True
interpreter_python = auto_silent
stdout_callback = default
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fleet.knownHostsPath}
`;

const measure = async (n: number, withAnsible: boolean): Promise<{ nop: Timing; ansible?: Timing }> => {
  const fleet = await startSshdHosts(n);
  const dir = await mkdtemp(join(tmpdir(), 'nop-bench-'));
  try {
    await writeFile(join(dir, 'inventory.ini'), inventory(fleet));
    await writeFile(join(dir, 'site.yml'), PLAYBOOK);
    await writeFile(join(dir, 'ansible.cfg'), ansibleCfg(fleet, n));
    const nopArgv = [
      'node',
      join(repo, 'bin', 'nop.js'),
      'run',
      join(dir, 'site.yml'),
      '-i',
      join(dir, 'inventory.ini'),
      '-f',
      String(n),
      '-e',
      'tool=nop',
      '--known-hosts',
      fleet.knownHostsPath,
    ];
    const env = { ...process.env, CI: '1' };
    const n1 = await timed(nopArgv, env);
    const n2 = await timed(nopArgv, env);
    if (!/changed=0 /.test(n2.out)) throw new Error(`nop's second run changed something:\n${n2.out.slice(-1500)}`);
    const nop = { first: n1.seconds, again: n2.seconds, peakMb: Math.max(n1.peakMb ?? 0, n2.peakMb ?? 0) };
    if (!withAnsible) return { nop };
    const ansArgv = ['ansible-playbook', '-i', join(dir, 'inventory.ini'), join(dir, 'site.yml'), '-e', 'tool=ansible'];
    const aenv = { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg') };
    const a1 = await timed(ansArgv, aenv);
    const a2 = await timed(ansArgv, aenv);
    return { nop, ansible: { first: a1.seconds, again: a2.seconds } };
  } finally {
    await fleet.stopAll();
    await rm(dir, { recursive: true, force: true });
  }
};

const fmt = (s: number | undefined) => (s === undefined ? '-' : s.toFixed(2).padStart(8));

const main = async () => {
  const withAnsible = await ensureTools();
  const ansibleVersion = withAnsible ? (await run('ansible-playbook', ['--version'])).stdout.split('\n')[0] : 'not installed';
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown cpu'}; node ${process.version}; ${ansibleVersion}`);
  console.log('hosts | nop first s | nop no-change s | nop peak MB | ansible first s | ansible no-change s | no-change ratio');
  for (const n of sizes()) {
    const r = await measure(n, withAnsible);
    const ratio = r.ansible ? (r.ansible.again / r.nop.again).toFixed(1) : '-';
    console.log(
      `${String(n).padStart(5)} | ${fmt(r.nop.first)}    | ${fmt(r.nop.again)}        | ${fmt(r.nop.peakMb)}    | ${fmt(r.ansible?.first)}        | ${fmt(r.ansible?.again)}            | ${ratio}x`,
    );
  }
};

await main();
