// Simulated NATS CLI (natsio/nats-box's `nats`), the subset an operator uses on the api's streams:
//   nats stream ls|info NAME [--json]|edit NAME --max-age=DURATION -f   (-s/--server nats://127.0.0.1:4222)
// It reaches the api's embedded server only from inside the api's network namespace (`docker run --network
// container:api`): the docker shim then hands it the api's /root/.dapi as NOP_SIM_NATS_DAPI.
import { readStream, streamNames, writeStreamConfig } from './nats-store.mjs';

const args = process.argv.slice(2);
const fail = (msg) => {
  process.stderr.write(`nats: error: ${msg}\n`);
  process.exit(1);
};

const VALUE_FLAGS = new Set(['-s', '--server', '--max-age']);
const flags = {};
const rest = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const eq = a.indexOf('=');
  if (a.startsWith('--') && eq > 0) flags[a.slice(0, eq)] = a.slice(eq + 1);
  else if (VALUE_FLAGS.has(a)) flags[a] = args[++i];
  else if (a.startsWith('-')) flags[a] = true;
  else rest.push(a);
}

const server = flags['-s'] ?? flags['--server'] ?? 'nats://127.0.0.1:4222';
const hostPort = server.replace(/^nats:\/\//, '');
const dapi = process.env.NOP_SIM_NATS_DAPI;
if (!dapi || !['127.0.0.1:4222', 'localhost:4222'].includes(hostPort)) fail(`dial tcp ${hostPort}: connect: connection refused`);

const UNIT_NS = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 7 * 86400e9, y: 365 * 86400e9 };
/** natscli's durations: Go's (1h30m) plus d, w and y; "0" or "-1" is forever. */
const parseDuration = (text) => {
  if (text === '0' || text === '-1') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) fail(`invalid duration "${text}"`);
  return parts.reduce((ns, [, n, unit]) => ns + Number(n) * UNIT_NS[unit], 0);
};

const human = (ns) => {
  if (ns === 0) return 'unlimited';
  const s = ns / 1e9;
  return s % 86400 === 0 ? `${s / 86400}d0h0m0s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
};

const info = (name) => {
  const stored = readStream(dapi, name);
  if (!stored) fail('stream not found (10059)');
  return { config: stored.config, created: stored.created, state: { messages: 0, bytes: 0, first_seq: 0, last_seq: 0, consumer_count: 0 } };
};

const printInfo = (i) =>
  process.stdout.write(
    [
      `Information for Stream ${i.config.name} created ${i.created}`,
      '',
      `             Subjects: ${i.config.subjects.join(', ')}`,
      `              Storage: File`,
      `              Maximum Age: ${human(i.config.max_age)}`,
      '',
      `             Messages: ${i.state.messages}`,
      '',
    ].join('\n'),
  );

const [group, verb, name] = rest;
if (group !== 'stream' && group !== 'str') fail(`unsupported command "${rest.join(' ')}" (the simulator knows: stream ls|info|edit)`);
if (verb === 'ls' || verb === 'list') {
  process.stdout.write(flags['--json'] ? `${JSON.stringify(streamNames(dapi))}\n` : `${streamNames(dapi).join('\n')}\n`);
} else if (verb === 'info') {
  if (!name) fail('a stream name is required');
  const i = info(name);
  if (flags['--json'] || flags['-j']) process.stdout.write(`${JSON.stringify(i, null, 2)}\n`);
  else printInfo(i);
} else if (verb === 'edit') {
  if (!name) fail('a stream name is required');
  const i = info(name);
  if (!flags['-f'] && !flags['--force']) fail('edit needs confirmation: run it interactively or with --force');
  if (flags['--max-age'] === undefined) fail('no configuration change was requested');
  const config = { ...i.config, max_age: parseDuration(flags['--max-age']) };
  writeStreamConfig(dapi, name, config);
  process.stdout.write(`Stream ${name} was updated\n\n`);
  printInfo({ ...i, config });
} else {
  fail(`unsupported command "stream ${verb}"`);
}
