// The host's shim server: one long-lived node process in the host's namespace that runs the shim commands
// named on its command line for the small bash clients in the host's /usr/local/bin (shim-server.ts writes
// them). A call then costs a bash start instead of a node start (about 70 ms of CPU each: a converging setup
// makes a hundred systemctl and iptables calls). One call runs at a time, synchronously, as the commands do
// in their own processes; the state file's lock still orders them against the shims that run as processes.
//
// Protocol (one connection per call, loopback TCP): the client sends NUL-terminated fields `key name cwd umask
// argc args…`; the server answers `run\0CODE\0N\0` and N chunks `FD\0TEXT\0` (1 stdout, 2 stderr, in the order
// the shim wrote them), or `fallback\0` when it cannot run the call
// as the caller would (unknown key or command, a call the shim does not serve, a cwd it cannot enter): the
// client then runs the shim itself.
// The port, key and pid are in /var/lib/nop-sim/shim-server (root only: only root's calls are served).
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { runCommand, serve } from './io.mjs';

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
  const argc = Number(fields[4]);
  return fields.length >= 5 + argc ? { key: fields[0], name: fields[1], cwd: fields[2], umask: fields[3], argv: fields.slice(5, 5 + argc) } : undefined;
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
  const res = runCommand(shim.run, call.argv);
  const chunks = res.output.map(([stream, text]) => `${stream === 'stdout' ? 1 : 2}\0${text}\0`).join('');
  return `run\0${res.code & 0xff}\0${res.output.length}\0${chunks}`;
};

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
    socket.end(answer(call));
  });
});
server.listen(0, '127.0.0.1', () => {
  mkdirSync(dirname(PORT_FILE), { recursive: true });
  writeFileSync(`${PORT_FILE}.tmp`, `${server.address().port} ${key} ${process.pid}\n`, { mode: 0o600 });
  renameSync(`${PORT_FILE}.tmp`, PORT_FILE);
  process.stdout.write('ready\n');
});
