// Simulated `inferenced` CLI. Keys live in the file keyring under the home dir (--home, else
// INFERENCED_SIM_HOME, else ~/.inference); txs and queries go to the simulated chain over RPC.
// Every invocation appends its argv (never stdin) to $NOP_SIM_STATE_DIR/inferenced-argv.log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { argvLogFile } from './sim-paths.mjs';
import { newAccountKey, newMnemonic, accountAddress, bech32Valid } from './keys.mjs';
import { createKeyring, keyringExists, passwordMatches, saveKey, loadKey, listKeys } from './keyring.mjs';
import { resolveUrl } from './service-address.mjs';
import { fetchJson } from './http-util.mjs';
import { MSG, ML_OPS_FEE_ALLOWANCE_NGONKA, ML_OPS_MESSAGES, amountOf } from './chain-ledger.mjs';
import { QUERY } from './chain-queries.mjs';

// loaded on first use: most runs of this short-lived process never need it, and loading it costs nearly as much
// as starting node
const yaml = () => createRequire(import.meta.url)('yaml');

const BOOLEAN_FLAGS = new Set(['-a', '--address', '-p', '--pubkey', '--yes', '-y', '--unordered', '--dry-run', '--generate-only', '--recover', '--offline']);

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

// read at each call: the host's shim server runs queries in its own process, each in its caller's environment
const stateDir = () => process.env.NOP_SIM_STATE_DIR;
/** where a query's answer goes: this process's stdout, or runQuery's collector */
let write = (text) => process.stdout.write(text);
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
const nodeUrl = (flags) => resolveUrl(stateDir() ?? '', inContainer(flags['--node'] ?? 'tcp://localhost:26657'));

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
  const seedUrl = resolveUrl(stateDir() ?? '', seed).replace(/\/$/, '');
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
    `gas_used: "${result.gas_used ?? '0'}"`,
    `gas_wanted: "${result.gas_wanted ?? '0'}"`,
    'height: "0"',
    'info: ""',
    'logs: []',
    `raw_log: ${JSON.stringify(result.log ?? '')}`,
    'timestamp: ""',
    'tx: null',
    `txhash: ${result.hash}`,
  ].join('\n');
}

async function query(flags, path, args) {
  const data = Buffer.from(JSON.stringify(args)).toString('hex');
  const { response } = await rpc(flags, 'abci_query', { path, data });
  if (response.code !== 0) throw new CliError(response.log);
  return JSON.parse(Buffer.from(response.value, 'base64').toString('utf8'));
}

async function printQuery(flags, path, args) {
  const value = await query(flags, path, args);
  // The Go CLI prints YAML with unindented sequences.
  write(outputJson(flags) ? `${JSON.stringify(value)}\n` : yaml().stringify(value, { indentSeq: false }));
}

const DEFAULT_GAS = 200_000;

/** `10ngonka`, `0.5ngonka`: ngonka per gas. */
function gasPrice(text) {
  const m = /^(\d+(?:\.\d+)?)ngonka$/.exec(text);
  if (!m) throw new CliError(`invalid gas prices ${JSON.stringify(text)}: only ngonka is accepted`);
  return Number(m[1]);
}

// The gas limit (a number, or `auto`: simulated and scaled by --gas-adjustment) and the fee (--fees, else gas ×
// --gas-prices, else nothing), as the SDK's tx factory sets them.
async function feeOf(flags, messages) {
  let gas = DEFAULT_GAS;
  if (flags['--gas'] === 'auto') {
    const tx = Buffer.from(JSON.stringify({ messages })).toString('hex');
    const { response } = await rpc(flags, 'abci_query', { path: '/cosmos.tx.v1beta1.Service/Simulate', data: tx });
    const used = Number(JSON.parse(Buffer.from(response.value, 'base64').toString('utf8')).gas_info.gas_used);
    gas = Math.floor(used * Number(flags['--gas-adjustment'] ?? 1));
  } else if (flags['--gas'] !== undefined) {
    if (!/^\d+$/.test(flags['--gas'])) throw new CliError(`invalid gas value ${JSON.stringify(flags['--gas'])}`);
    gas = Number(flags['--gas']);
  }
  if (flags['--fees'] !== undefined && flags['--gas-prices'] !== undefined) throw new CliError('cannot provide both fees and gas prices');
  const amount =
    flags['--fees'] !== undefined ? amountOf(flags['--fees']) : flags['--gas-prices'] !== undefined ? Math.ceil(gas * gasPrice(flags['--gas-prices'])) : 0;
  return { gas_limit: gas, amount, granter: flags['--fee-granter'] };
}

// Signing needs the account's number: an address the chain has never seen (never funded, never registered) cannot sign.
async function signer(flags) {
  const home = homeOf(flags);
  if (!flags['--from']) throw new CliError('required flag(s) "from" not set');
  unlock(home);
  const key = requireKey(home, flags['--from']);
  await query(flags, QUERY.account, { address: key.address });
  return key;
}

async function send(flags, key, messages, fee) {
  const tx = Buffer.from(JSON.stringify({ messages, from: key.address, pubkey: key.pubkey, fee })).toString('base64');
  return rpc(flags, 'broadcast_tx_sync', { tx });
}

// Standard SDK txs ask for confirmation unless --yes.
async function broadcast(flags, messages) {
  if (!flags['--from']) throw new CliError('required flag(s) "from" not set');
  const key = await signer(flags);
  const fee = await feeOf(flags, messages);
  if (flags['--gas'] === 'auto') process.stderr.write(`gas estimate: ${fee.gas_limit}\n`);
  if (!flags['--yes'] && !flags['-y']) {
    process.stderr.write(
      `${JSON.stringify({ body: { messages }, auth_info: { fee: { amount: fee.amount ? [{ denom: 'ngonka', amount: String(fee.amount) }] : [], gas_limit: String(fee.gas_limit) } } })}\n\n`,
    );
    const answer = readLine('confirm transaction before signing and broadcasting [y/N]: ');
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write('canceled transaction\n');
      return;
    }
  }
  const result = await send(flags, key, messages, fee);
  console.log(outputJson(flags) ? JSON.stringify({ ...result, txhash: result.hash, raw_log: result.log }) : txText(result));
}

// grant-ml-ops-permissions builds its own tx (upstream permissions.go): one MsgGrant per ML operational message
// plus the cold→warm fee allowance unless one exists, no confirmation, and it waits for the block.
async function grantMlOps([coldName, warm], flags) {
  if (!coldName || !warm) throw new CliError(`accepts 2 arg(s), received ${[coldName, warm].filter(Boolean).length}`);
  if (!flags['--from']) throw new CliError('required flag(s) "from" not set');
  const status = await rpc(flags, 'status', {});
  process.stderr.write(`Detected chain-id: ${status.node_info.network}\n`);
  if (!bech32Valid(warm)) throw new CliError(`invalid ML operational address: decoding bech32 failed: invalid checksum`);
  const key = await signer({ ...flags, '--from': coldName }).catch((err) => {
    throw new CliError(`failed to get account details: ${err.message}`);
  });
  const messages = ML_OPS_MESSAGES.map((msg) => ({
    '@type': MSG.authzGrant,
    granter: key.address,
    grantee: warm,
    grant: { authorization: { '@type': '/cosmos.authz.v1beta1.GenericAuthorization', msg } },
  }));
  const existing = await query(flags, QUERY.feeAllowance, { granter: key.address, grantee: warm }).catch(() => undefined);
  if (existing) {
    console.log(
      'Existing feegrant allowance from cold to warm detected; skipping MsgGrantAllowance. Run `inferenced tx feegrant revoke <warm-address>` first if you want to refresh it.',
    );
  } else {
    messages.push({ '@type': MSG.grantAllowance, granter: key.address, grantee: warm, spend_limit: ML_OPS_FEE_ALLOWANCE_NGONKA });
    console.log('Including new feegrant allowance from cold to warm in this transaction.');
  }
  const fee = await feeOf(flags, messages);
  if (flags['--gas'] === 'auto') console.log(`gas estimate: ${fee.gas_limit}`);
  const result = await send(flags, key, messages, fee);
  if (result.code !== 0) throw new CliError(`transaction failed on broadcast with code ${result.code}: ${result.log}`);
  console.log(`Transaction sent with hash: ${result.hash}`);
  console.log('Waiting for transaction to be included in a block...');
  const { sync_info } = await rpc(flags, 'status', {});
  console.log(`\nTransaction confirmed successfully!\nBlock height: ${Number(sync_info.latest_block_height) + 1}`);
}

const TX = {
  'inference grant-ml-ops-permissions': grantMlOps,
  'inference submit-new-participant': ([url], flags) =>
    broadcast(flags, [{ '@type': MSG.submitNewParticipant, url, validator_key: flags['--validator-key'] ?? '' }]),
  'inference set-poc-delegation': ([model, delegatee], flags) => {
    if (model === undefined || delegatee === undefined) throw new CliError('accepts 2 arg(s)');
    return broadcast(flags, [{ '@type': MSG.setPocDelegation, model_id: model, delegate_to: delegatee }]);
  },
  'inference refuse-poc-delegation': ([model], flags) => broadcast(flags, [{ '@type': MSG.refusePocDelegation, model_id: model }]),
  'inference declare-poc-intent': ([model], flags) => broadcast(flags, [{ '@type': MSG.declarePocIntent, model_id: model }]),
  'inference set-claim-recipients': ([recipients], flags) => broadcast(flags, [{ '@type': MSG.setClaimRecipients, recipients: JSON.parse(recipients) }]),
  'slashing unjail': (_, flags) => broadcast(flags, [{ '@type': MSG.unjail }]),
  'gov vote': ([id, option], flags) => {
    // the SDK's NormalizeVoteOption + VoteOptionFromString, before anything is signed
    const normalized = { yes: 'yes', no: 'no', abstain: 'abstain', no_with_veto: 'no_with_veto', nowithveto: 'no_with_veto' }[String(option).toLowerCase()];
    if (!normalized) throw new CliError(`'${option}' is not a valid vote option`);
    return broadcast(flags, [{ '@type': MSG.vote, proposal_id: id, option: normalized }]);
  },
  'collateral deposit-collateral': ([amount], flags) => broadcast(flags, [{ '@type': MSG.depositCollateral, amount }]),
  'collateral withdraw-collateral': ([amount], flags) => broadcast(flags, [{ '@type': MSG.withdrawCollateral, amount }]),
  'bank send': ([, to, amount], flags) => broadcast(flags, [{ '@type': MSG.bankSend, to_address: to, amount }]),
};

const QUERIES = {
  'staking delegator-validators': ([addr], flags) => printQuery(flags, QUERY.delegatorValidators, { delegator_addr: addr }),
  'gov tally': ([id], flags) => printQuery(flags, QUERY.tally, { proposal_id: id }),
  'gov votes': ([id], flags) => printQuery(flags, QUERY.votes, { proposal_id: id }),
  'gov vote': ([id, voter], flags) => printQuery(flags, QUERY.vote, { proposal_id: id, voter }),
  'gov proposal': ([id], flags) => printQuery(flags, QUERY.proposal, { proposal_id: id }),
  'gov proposals': (_, flags) => printQuery(flags, QUERY.proposals, { proposal_status: flags['--proposal-status'] ?? flags['--status'] ?? '' }),
  'slashing signing-info': ([consPubkey], flags) => printQuery(flags, QUERY.signingInfo, { cons_pubkey: consPubkey }),
  'collateral show-unbonding-collateral': ([participant], flags) => printQuery(flags, QUERY.unbondingCollateral, { participant }),
  'collateral show-collateral': ([participant], flags) => printQuery(flags, QUERY.collateral, { participant }),
  'collateral params': (_, flags) => printQuery(flags, QUERY.collateralParams, {}),
  'authz grants-by-granter': ([granter], flags) => printQuery(flags, QUERY.grants, { granter }),
  'bank balances': ([address], flags) => printQuery(flags, QUERY.allBalances, { address }),
  'bank spendable-balances': ([address], flags) => printQuery(flags, QUERY.spendableBalances, { address }),
  'feegrant grant': ([granter, grantee], flags) => printQuery(flags, QUERY.feeAllowance, { granter, grantee }),
  'inference show-participant': ([index], flags) => printQuery(flags, QUERY.participant, { index }),
  'inference params': (_, flags) => printQuery(flags, QUERY.params, {}),
  'inference get-current-epoch': (_, flags) => printQuery(flags, QUERY.currentEpoch, {}),
  'inference current-epoch-group-data': (_, flags) => printQuery(flags, QUERY.currentEpochGroupData, {}),
  'inference poc-delegation': ([participant, model], flags) => printQuery(flags, QUERY.pocDelegation, { participant, model_id: model ?? '' }),
  'inference poc-v2-store-commit': ([height, address], flags) =>
    printQuery(flags, QUERY.pocV2StoreCommit, { poc_stage_start_block_height: height, participant_address: address }),
  'inference list-claim-recipients': ([address], flags) => printQuery(flags, QUERY.claimRecipients, { address }),
  'inference show-epoch-performance-summary-by-participant': ([epoch, address], flags) =>
    printQuery(flags, QUERY.epochPerformanceSummary, { epoch_index: epoch, participantId: address }),
};

async function main(argv) {
  if (stateDir()) fs.appendFileSync(argvLogFile(stateDir()), `${JSON.stringify(argv)}\n`);
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

/**
 * `inferenced query …` in this process (the host's shim server answers the roles' chain queries so, without a node
 * start each): what the command prints and its exit code. Its environment is process.env, as the command's is.
 */
export async function runQuery(argv) {
  let stdout = '';
  write = (text) => {
    stdout += text;
  };
  try {
    await main(argv);
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    return { code: 1, stdout, stderr: `Error: ${err.message}\n` };
  } finally {
    write = (text) => process.stdout.write(text);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`Error: ${err.message}\n`);
      process.exit(1);
    },
  );
