// Simulated `inferenced` CLI. Keys live in the file keyring under the home dir (--home, else
// INFERENCED_SIM_HOME, else ~/.inference); txs and queries go to the simulated chain over RPC.
// Every invocation appends its argv (never stdin) to $NOP_SIM_STATE_DIR/inferenced-argv.log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { argvLogFile } from './sim-paths.mjs';
import { newAccountKey, newMnemonic, accountAddress } from './keys.mjs';
import { createKeyring, keyringExists, passwordMatches, saveKey, loadKey, listKeys } from './keyring.mjs';
import { resolveUrl } from './service-address.mjs';
import { fetchJson } from './http-util.mjs';
import { MSG, QUERY } from './chain-ledger.mjs';

const BOOLEAN_FLAGS = new Set(['-a', '--address', '-p', '--pubkey', '--yes', '-y', '--unordered', '--dry-run', '--generate-only', '--recover']);

class CliError extends Error {}

function parse(argv) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq !== -1) flags[arg.slice(0, eq)] = arg.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(arg)) flags[arg] = true;
    else flags[arg] = argv[++i];
  }
  return { positional, flags };
}

const stateDir = process.env.NOP_SIM_STATE_DIR;
const homeOf = (flags) => flags['--home'] ?? flags['--keyring-dir'] ?? (process.env.INFERENCED_SIM_HOME || path.join(os.homedir(), '.inference'));
const outputJson = (flags) => (flags['--output'] ?? flags['-o']) === 'json';

let stdinLines;
function readLine(prompt) {
  process.stderr.write(prompt);
  stdinLines ??= fs.readFileSync(0, 'utf8').split('\n');
  if (stdinLines.length === 0 || (stdinLines.length === 1 && stdinLines[0] === '')) throw new CliError('EOF');
  return stdinLines.shift().replace(/\r$/, '');
}

function unlock(home) {
  if (!keyringExists(home)) {
    const first = askNewPassphrase();
    const again = readLine('Re-enter keyring passphrase:\n');
    if (first !== again) throw new CliError('passphrase do not match');
    createKeyring(home, first);
    return first;
  }
  for (let attempt = 1; attempt <= 3; attempt++) {
    const pass = readLine(`Enter keyring passphrase (attempt ${attempt}/3):\n`);
    if (passwordMatches(home, pass)) return pass;
    process.stderr.write('incorrect passphrase\n');
  }
  throw new CliError('too many failed passphrase attempts');
}

function askNewPassphrase() {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const pass = readLine(`Enter keyring passphrase (attempt ${attempt}/3):\n`);
    if (pass.length >= 8) return pass;
    process.stderr.write('password must be at least 8 characters\n');
  }
  throw new CliError('too many failed passphrase attempts');
}

const pubkeyJson = (key) => JSON.stringify({ '@type': '/cosmos.crypto.secp256k1.PubKey', key: key.pubkey });
const recordText = (k) => `- address: ${k.address}\n  name: ${k.name}\n  pubkey: '${pubkeyJson(k)}'\n  type: local\n`;
const recordJson = (k) => ({ name: k.name, type: 'local', address: k.address, pubkey: pubkeyJson(k) });

function keysAdd([name], flags) {
  if (!name) throw new CliError('accepts 1 arg(s), received 0');
  const home = homeOf(flags);
  const password = unlock(home);
  if (loadKey(home, name)) {
    const answer = readLine(`override the existing name ${name} [y/N]: `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('aborted');
  }
  const key = newAccountKey();
  const mnemonic = newMnemonic();
  saveKey(home, password, name, { ...key });
  const record = { ...key, name };
  if (outputJson(flags)) return console.log(JSON.stringify({ ...recordJson(record), mnemonic }));
  process.stderr.write('\n');
  process.stdout.write(recordText(record));
  process.stderr.write(
    `\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account if you ever forget your password.\n\n${mnemonic}\n\n`,
  );
}

function requireKey(home, name) {
  const key = loadKey(home, name);
  if (!key) throw new CliError(`${name} is not a valid name or address: key not found`);
  return key;
}

function keysShow([name], flags) {
  const home = homeOf(flags);
  unlock(home);
  const key = requireKey(home, name);
  if (flags['-a'] || flags['--address']) return console.log(key.address);
  if (flags['-p'] || flags['--pubkey']) return console.log(pubkeyJson(key));
  if (outputJson(flags)) return console.log(JSON.stringify(recordJson(key)));
  process.stdout.write(recordText(key));
}

function keysList(_, flags) {
  const home = homeOf(flags);
  if (keyringExists(home)) unlock(home);
  const keys = listKeys(home);
  if (outputJson(flags)) return console.log(JSON.stringify(keys.map(recordJson)));
  if (keys.length === 0) return console.log('No records were found in keyring');
  keys.forEach((k) => process.stdout.write(recordText(k)));
}

// Run by `docker compose exec SERVICE`, localhost is that service's container, not the host.
const inContainer = (url) => {
  const service = process.env.NOP_SIM_SERVICE;
  return service ? url.replace(/^(\w+:\/\/)(localhost|127\.0\.0\.1)(?=[:/]|$)/, `$1${service}`) : url;
};
const nodeUrl = (flags) => resolveUrl(stateDir ?? '', inContainer(flags['--node'] ?? 'tcp://localhost:26657'));

async function rpc(flags, method, params) {
  const url = nodeUrl(flags);
  let res;
  try {
    res = await fetchJson(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    });
  } catch (err) {
    throw new CliError(`post failed: Post "${url}": dial tcp: connect: connection refused (${err.cause?.code ?? err.message})`);
  }
  if (res.status !== 200 || !res.body?.result)
    throw new CliError(`error in json rpc client, with http response metadata: (Status: ${res.status}). ${JSON.stringify(res.body)}`);
  return res.body.result;
}

async function registerNewParticipant([publicUrl, pubkey], flags) {
  const seed = flags['--node-address'];
  if (!seed) throw new CliError('node address is required (use --node-address flag)');
  if (!publicUrl || !pubkey) throw new CliError('accepts 2 arg(s)');
  const address = accountAddress(pubkey);
  const consensusKey = flags['--consensus-key'] ?? (await rpc(flags, 'status', {})).validator_info.pub_key.value;
  const seedUrl = resolveUrl(stateDir ?? '', seed).replace(/\/$/, '');
  console.log('Registering new participant:');
  console.log(`  Node URL: ${publicUrl}`);
  console.log(`  Account Address: ${address}`);
  console.log(`  Account Public Key: ${pubkey}`);
  console.log(`  Validator Consensus Key: ${consensusKey}`);
  console.log(`  Seed Node Address: ${seed}`);
  console.log(`Sending registration request to ${seed}/v1/participants`);
  const res = await fetchJson(`${seedUrl}/v1/participants`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address, url: publicUrl, validator_key: consensusKey, pub_key: pubkey, worker_key: '' }),
  }).catch((err) => {
    throw new CliError(`failed to send HTTP request: ${err.cause?.code ?? err.message}`);
  });
  console.log(`Response status code: ${res.status}`);
  if (![200, 201, 204].includes(res.status)) throw new CliError(`server returned status ${res.status}: ${JSON.stringify(res.body)}`);
  console.log('✅ Participant registration successful!');
  const check = await fetchJson(`${seedUrl}/v1/participants/${address}`);
  console.log(
    check.status === 200
      ? `✅ Participant is now available at ${seed}/v1/participants/${address}`
      : `⚠️  Warning: participant not yet visible at ${seed}/v1/participants/${address}`,
  );
}

function txText(result) {
  return [
    `code: ${result.code}`,
    `codespace: "${result.codespace ?? ''}"`,
    'data: ""',
    'events: []',
    'gas_used: "0"',
    'gas_wanted: "0"',
    'height: "0"',
    'info: ""',
    'logs: []',
    `raw_log: ${JSON.stringify(result.log ?? '')}`,
    'timestamp: ""',
    'tx: null',
    `txhash: ${result.hash}`,
  ].join('\n');
}

// Standard SDK txs ask for confirmation unless --yes; Gonka's grant command does not.
async function broadcast(flags, message, { confirm }) {
  const home = homeOf(flags);
  if (!flags['--from']) throw new CliError('required flag(s) "from" not set');
  if (confirm && !flags['--yes'] && !flags['-y']) {
    process.stderr.write(`${JSON.stringify({ body: { messages: [message] } })}\n\n`);
    const answer = readLine('confirm transaction before signing and broadcasting [y/N]: ');
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write('canceled transaction\n');
      return;
    }
  }
  unlock(home);
  const key = requireKey(home, flags['--from']);
  const tx = Buffer.from(JSON.stringify({ ...message, from: key.address, pubkey: key.pubkey })).toString('base64');
  const result = await rpc(flags, 'broadcast_tx_sync', { tx });
  console.log(outputJson(flags) ? JSON.stringify({ ...result, txhash: result.hash, raw_log: result.log }) : txText(result));
}

const TX = {
  'inference grant-ml-ops-permissions': ([, warm], flags) => broadcast(flags, { '@type': MSG.grantMlOps, grantee: warm }, { confirm: false }),
  'inference submit-new-participant': ([url], flags) =>
    broadcast(flags, { '@type': MSG.submitNewParticipant, url, validator_key: flags['--validator-key'] ?? '' }, { confirm: true }),
  'slashing unjail': (_, flags) => broadcast(flags, { '@type': MSG.unjail }, { confirm: true }),
  'gov vote': ([id, option], flags) => broadcast(flags, { '@type': MSG.vote, proposal_id: id, option }, { confirm: true }),
  'collateral deposit-collateral': ([amount], flags) => broadcast(flags, { '@type': MSG.depositCollateral, amount }, { confirm: true }),
  'collateral withdraw-collateral': ([amount], flags) => broadcast(flags, { '@type': MSG.withdrawCollateral, amount }, { confirm: true }),
};

async function query(flags, path, args) {
  const data = Buffer.from(JSON.stringify(args)).toString('hex');
  const { response } = await rpc(flags, 'abci_query', { path, data });
  if (response.code !== 0) throw new CliError(response.log);
  const value = JSON.parse(Buffer.from(response.value, 'base64').toString('utf8'));
  // The Go CLI prints YAML with unindented sequences.
  process.stdout.write(outputJson(flags) ? `${JSON.stringify(value)}\n` : YAML.stringify(value, { indentSeq: false }));
}

const QUERIES = {
  'staking delegator-validators': ([addr], flags) => query(flags, QUERY.delegatorValidators, { delegator_addr: addr }),
  'gov tally': ([id], flags) => query(flags, QUERY.tally, { proposal_id: id }),
  'collateral show-collateral': ([participant], flags) => query(flags, QUERY.collateral, { participant }),
  'authz grants-by-granter': ([granter], flags) => query(flags, QUERY.grants, { granter }),
  'inference show-participant': ([index], flags) => query(flags, QUERY.participant, { index }),
};

async function main(argv) {
  if (stateDir) fs.appendFileSync(argvLogFile(stateDir), `${JSON.stringify(argv)}\n`);
  const { positional, flags } = parse(argv);
  const [group, sub, ...rest] = positional;
  if (group === 'version') return console.log(process.env.INFERENCED_SIM_VERSION ?? 'v0.2.9');
  if (group === 'keys') {
    const run = { add: keysAdd, show: keysShow, list: keysList }[sub];
    if (!run) throw new CliError(`unknown command "${sub}" for "inferenced keys"`);
    return run(rest, flags);
  }
  if (group === 'register-new-participant') return registerNewParticipant([sub, ...rest], flags);
  const [name, ...args] = rest;
  const table = group === 'tx' ? TX : group === 'query' || group === 'q' ? QUERIES : undefined;
  const run = table?.[`${sub} ${name}`];
  if (!run) throw new CliError(`unknown command "${positional.join(' ')}" for "inferenced"`);
  return run(args, flags);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`Error: ${err.message}\n`);
    process.exit(1);
  },
);
