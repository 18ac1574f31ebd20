// The host's shim server: one long-lived node process in the host's namespace that runs the shim commands
// named on its command line for the small bash clients in the host's /usr/local/bin (shim-server.ts writes
// them). A call then costs a bash start instead of a node start (about 70 ms of CPU each: a converging setup
// makes a hundred systemctl and iptables calls). One call runs at a time, synchronously, as the commands do
// in their own processes; the state file's lock still orders them against the shims that run as processes.
//
// Protocol (one connection per call, loopback TCP): the client sends NUL-terminated fields `key name cwd umask
// argc args… hasStdin [stdin] wholeEnv NAME=VALUE… ""`: its stdin only for a shim that reads it, and its whole
// environment for one whose answer depends on it (else PATH only; shim-server.ts). The server answers
//   `run\0CODE\0N\0` and N chunks `FD\0TEXT\0` (1 stdout, 2 stderr, in the order the shim wrote them);
//   `exec\0N\0` chunks, then `PROGRAM\0NENV\0` `NAME=VALUE\0`…, `ARGC\0` args…, `HASINPUT\0[INPUT\0]`: the shim
//     hands the call on to a program (curl, a command in a container): the client prints the chunks, adds the
//     variables to its environment and execs PROGRAM, its stdin replaced by INPUT if given;
//   `fallback\0` when it cannot run the call as the caller would (unknown key or command, a call the shim does
//     not serve, a cwd it cannot enter): the client then runs the shim itself.
// The port, key and pid are in /var/lib/nop-sim/shim-server (root only: only root's calls are served).
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { runCommand, serve, setStdin } from './io.mjs';

const PORT_FILE = '/var/lib/nop-sim/shim-server';
const shimsDir = join(dirname(new URL(import.meta.url).pathname), '..');

serve();
const commands = new Map();
for (const name of process.argv.slice(2)) {
  // a shim may answer only some of its calls here (`serves(argv)`): the others run as its own process
  const { default: run, serves = () => true } = await import(join(shimsDir, `${name}.mjs`));
  commands.set(name, { run, serves });
}
const key = randomBytes(16).toString('hex');

/** The call's fields once all of them have arrived, else undefined. */
const parse = (buf) => {
  const fields = [];
  let start = 0;
  for (let i = buf.indexOf(0); i !== -1; i = buf.indexOf(0, start)) {
    fields.push(buf.subarray(start, i).toString());
    start = i + 1;
  }
  if (fields.length < 5) return undefined;
  const [key, name, cwd, umask, argc] = fields;
  let at = 5 + Number(argc);
  const argv = fields.slice(5, at);
  const hasStdin = fields[at++];
  const stdin = hasStdin === '1' ? fields[at++] : undefined;
  const wholeEnv = fields[at++];
  const end = fields.indexOf('', at);
  if (wholeEnv === undefined || end === -1) return undefined;
  const env = Object.fromEntries(fields.slice(at, end).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { key, name, cwd, umask, argv, stdin, env, wholeEnv: wholeEnv === '1' };
};

/** Run `fn` with the caller's environment: the whole of it, or the server's with the caller's variables over it. */
const withEnv = ({ env, wholeEnv }, fn) => {
  const own = { ...process.env };
  if (wholeEnv) for (const k of Object.keys(process.env)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, own);
  }
};

const field = (text) => `${text}\0`;
const chunks = (output) => field(output.length) + output.map(([stream, text]) => field(stream === 'stdout' ? 1 : 2) + field(text)).join('');
// what bash's `export NAME=VALUE` can set
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BASH_READONLY = new Set(['BASHOPTS', 'BASH_VERSINFO', 'EUID', 'PPID', 'SHELLOPTS', 'UID']);

/** The answer that hands the call on to a program (the client execs it), or fallback where bash cannot. */
const execAnswer = ({ program, argv, env, input }, output) => {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (Object.keys(env).some((k) => !ENV_NAME.test(k) || BASH_READONLY.has(k)) || [program, ...argv, ...vars, input ?? ''].some((f) => f.includes('\0')))
    return 'fallback\0';
  const feed = input === undefined ? field(0) : field(1) + field(input);
  return `exec\0${chunks(output)}${field(program)}${field(vars.length)}${vars.map(field).join('')}${field(argv.length)}${argv.map(field).join('')}${feed}`;
};

/** The answer of a call answered later: its output so far, then what its work gives. */
const laterAnswer = async ({ later, output }) => {
  const done = await later();
  const all = [...output, ['stdout', done.stdout], ['stderr', done.stderr]].filter(([, text]) => text !== '');
  return `run\0${done.code & 0xff}\0${chunks(all)}`;
};

const answer = (call) => {
  const shim = commands.get(call.name);
  if (call.key !== key || !shim?.serves(call.argv) || !/^[0-7]{1,4}$/.test(call.umask)) return 'fallback\0';
  try {
    process.chdir(call.cwd);
  } catch {
    return 'fallback\0';
  }
  process.umask(Number.parseInt(call.umask, 8));
  // the shims see the caller's environment (curl looks for the real curl on its PATH) and stdin
  setStdin(call.stdin);
  try {
    const res = withEnv(call, () => runCommand(shim.run, call.argv));
    if (res.fallback) return 'fallback\0';
    if (res.later) return laterAnswer(res);
    if (res.exec) return execAnswer(res.exec, res.output);
    return `run\0${res.code & 0xff}\0${chunks(res.output)}`;
  } finally {
    setStdin(undefined);
  }
};

let queue = Promise.resolve();
const server = createServer((socket) => {
  let buf = Buffer.alloc(0);
  socket.on('error', () => undefined); // a client killed mid-call
  let answered = false;
  socket.on('data', (chunk) => {
    if (answered) return;
    buf = Buffer.concat([buf, chunk]);
    const call = parse(buf);
    if (!call) return;
    answered = true;
    // one call at a time: a call answered later (a chain query) holds the next back, as they would wait on each other
    queue = queue.then(async () => {
      socket.end(await Promise.resolve(answer(call)).catch((e) => ['run', '1', '1', '2', `${e?.stack ?? e}\n`, ''].join('\0')));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  mkdirSync(dirname(PORT_FILE), { recursive: true });
  writeFileSync(`${PORT_FILE}.tmp`, `${server.address().port} ${key} ${process.pid}\n`, { mode: 0o600 });
  renameSync(`${PORT_FILE}.tmp`, PORT_FILE);
  process.stdout.write('ready\n');
});
