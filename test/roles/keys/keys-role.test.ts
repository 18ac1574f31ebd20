import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import { simConnect } from '../../../sim/host/connect.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import type { ProfileInput } from '../../../sim/host/profile.js';

const PASSWORD = 'keyring-pass-7f3a9c';
const PUBKEY = /^[A-Za-z0-9+/]{44}$/;
const DEPLOY = '/opt/gonka/deploy/join';
const COLD_HOME = '/root/.inference';
const ARGV_LOG = '/var/lib/nop-sim/docker/inferenced-argv.log';
// what the stand-in for register writes on the server
const REGISTERED = '/root/registered';

let dir: string;
let server: SimHost;
// the operator's own machine (the cold signer), with the inferenced CLI installed
let operator: SimHost;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-keys-'));
  const profile = parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'sim', 'host', 'profiles', 'rtx3090-1x.yaml'), 'utf8')) as ProfileInput & {
    packages: { name: string }[];
  };
  [server, operator] = await Promise.all([
    createSimHost({ profile: { ...profile, packages: [...profile.packages, { name: 'docker-ce' }] }, dir: join(dir, 'server') }),
    createSimHost({ profile: 'no-gpu', dir: join(dir, 'operator'), inferenced: true }),
  ]);
});
afterEach(async () => {
  await Promise.all([server?.close(), operator?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const serverKeyring = () => server.path(`${DEPLOY}/.inference/keyring-file`);
const serverArgvLog = () => server.path(ARGV_LOG);
const coldHome = () => operator.path(COLD_HOME);
const coldArgvLog = () => operator.path(ARGV_LOG);

const argvLines = async (file: string): Promise<string[][]> =>
  existsSync(file)
    ? (await readFile(file, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[])
    : [];

const isKeysAdd = (name: string) => (argv: string[]) => argv[0] === 'keys' && argv[1] === 'add' && argv[2] === name;

interface Setup {
  workflow?: 'quick' | 'secure';
  serverVars?: Record<string, unknown>;
  coldSigner?: boolean;
}

const writeInventory = async ({ workflow = 'quick', serverVars = { keyring_password: PASSWORD }, coldSigner = workflow === 'secure' }: Setup = {}) => {
  const hosts: Record<string, unknown> = { gpu1: { key_workflow: workflow, ...serverVars } };
  const children: Record<string, unknown> = { network_nodes: { hosts: { gpu1: null } } };
  if (coldSigner) {
    hosts.operator = { cold_keyring_dir: COLD_HOME };
    children.cold_signer = { hosts: { operator: null } };
  }
  await writeFile(join(dir, 'inventory.yml'), stringify({ all: { hosts, children } }));
  await writeFile(join(dir, 'site.yml'), stringify([{ hosts: 'network_nodes', gather_facts: false, roles: ['keys'] }]));
};

// the keys role, then a stand-in for register (the real one needs a chain): it runs only if the keys role let the host on
const writeSetupPlaybook = async () =>
  writeFile(
    join(dir, 'site.yml'),
    stringify([
      { hosts: 'network_nodes', gather_facts: false, roles: ['keys'] },
      {
        hosts: 'network_nodes',
        gather_facts: false,
        tasks: [{ name: 'Register (stand-in)', copy: { dest: REGISTERED, content: '{{ account_pubkey }}\n' } }],
      },
    ]),
  );

/** A directory of the server no file can be written into: a full 64 KiB tmpfs, mounted in the server (gone with it). */
const fullDir = async (path: string): Promise<void> => {
  const res = await server.sh(`mkdir -p ${path} && mount -t tmpfs -o size=64k nop-test-full ${path} && { head -c 1048576 /dev/zero > ${path}/filler; true; }`);
  if (res.code !== 0) throw new Error(`full disk at ${path}: ${res.stderr}`);
};

// 24 lowercase words in a row: what a mnemonic looks like in any output
const MNEMONIC_LIKE = /\b(?:[a-z]{3,8} ){23}[a-z]{3,8}\b/;

const run = async (opts: { check?: boolean; extraVars?: Record<string, unknown> } = {}) => {
  const events: RunEvent[] = [];
  const summary = await runPlaybook({
    playbook: join(dir, 'site.yml'),
    inventories: [join(dir, 'inventory.yml')],
    emit: (e) => events.push(e),
    connect: simConnect({ gpu1: server, operator }),
    diff: true,
    verbose: 3,
    ...opts,
  });
  const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
  const facts = (task: string) => results.find((r) => r.task.endsWith(task))?.result.ansible_facts as Record<string, string> | undefined;
  const msg = (task: string) => String(results.find((r) => r.task.endsWith(task))?.result.msg ?? '');
  return { ...summary, events, results, facts, msg, output: JSON.stringify(events), changed: summary.stats.gpu1?.changed };
};

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('keys role, quick workflow', () => {
  it('creates both keys on the server once, publishes ACCOUNT_PUBKEY and keeps the mnemonic in a 0600 file only', async () => {
    await writeInventory();
    const first = await run();
    expect(first.code, first.output).toBe(0);
    expect(first.changed).toBe(2);
    const cold = first.facts('Cold account key')!;
    expect(cold.account_pubkey).toMatch(PUBKEY);
    expect(cold.cold_key_address).toMatch(/^gonka1/);
    expect(first.facts('Warm ML operational key')).toMatchObject({ key_name: 'gpu1-warm' });
    expect(existsSync(join(serverKeyring(), 'gpu1-cold.info'))).toBe(true);
    expect(existsSync(join(serverKeyring(), 'gpu1-warm.info'))).toBe(true);

    const mnemonicFile = server.path(`${DEPLOY}/gpu1-cold.mnemonic`);
    const mnemonic = (await readFile(mnemonicFile, 'utf8')).trim();
    expect(mnemonic.split(' ')).toHaveLength(24);
    expect(await modeOf(mnemonicFile)).toBe(0o600);
    expect(first.output).toContain(`${DEPLOY}/gpu1-cold.mnemonic`);
    // what the operator must do is a result field every reporter prints without -v, and it stays until done
    const action = {
      host: 'gpu1',
      task: 'keys : Cold account key',
      action: `copy the cold key's mnemonic from ${DEPLOY}/gpu1-cold.mnemonic on gpu1 to offline storage, then delete that file and set cold_mnemonic_kept_by_operator: true`,
    };
    expect(first.events.find((e) => e.type === 'recap')).toMatchObject({ operatorActions: [action] });

    const second = await run();
    expect(second.code, second.output).toBe(0);
    expect(second.changed).toBe(0);
    expect(second.events.find((e) => e.type === 'recap')).toMatchObject({ operatorActions: [action] });
    expect(second.facts('Cold account key')!.account_pubkey).toBe(cold.account_pubkey);
    expect((await readFile(mnemonicFile, 'utf8')).trim()).toBe(mnemonic);

    const argvLog = await readFile(serverArgvLog(), 'utf8');
    expect(argvLog).toContain('keys');
    for (const text of [first.output, second.output, argvLog]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(mnemonic);
      expect(text).not.toContain(mnemonic.split(' ').slice(0, 2).join(' '));
    }
  });

  it('plans in check mode without creating anything', async () => {
    await writeInventory();
    const res = await run({ check: true });
    expect(res.code, res.output).toBe(0);
    expect(res.changed).toBe(2);
    expect(res.output).toContain('would create cold key');
    expect(existsSync(join(serverKeyring(), 'gpu1-cold.info'))).toBe(false);
    expect(await argvLines(serverArgvLog())).toEqual([]);
  });

  it('refuses to create a key over an existing mnemonic file', async () => {
    await writeInventory();
    const mnemonicFile = server.path(`${DEPLOY}/gpu1-cold.mnemonic`);
    await writeFile(mnemonicFile, 'an earlier key\n', { mode: 0o600 });
    const res = await run();
    expect(res.code).not.toBe(0);
    expect(res.output).toContain('--recover');
    expect(await readFile(mnemonicFile, 'utf8')).toBe('an earlier key\n');
  });

  it('needs a keyring password', async () => {
    await writeInventory({ serverVars: {} });
    const res = await run();
    expect(res.code).not.toBe(0);
    expect(res.output).toContain("variable 'keyring_password'");
  });
});

describe('keys role: the cold key is not created until its mnemonic is stored', () => {
  it('a mnemonic that cannot be written fails the run, and re-runs stop before registering until the operator says they keep it', async () => {
    const backupDir = '/root/backup';
    const mnemonicFile = `${backupDir}/gpu1-cold.mnemonic`;
    await fullDir(backupDir);
    await writeInventory({ serverVars: { keyring_password: PASSWORD, cold_mnemonic_file: mnemonicFile } });
    await writeSetupPlaybook();

    const first = await run();
    expect(first.code, first.output).toBe(2);
    const failed = first.msg('Cold account key');
    expect(failed).toContain(`storing its mnemonic in ${mnemonicFile} failed`);
    expect(failed).toContain('No space left on device');
    expect(failed).toContain('cold_mnemonic_kept_by_operator: true');
    expect(existsSync(join(serverKeyring(), 'gpu1-cold.info'))).toBe(true);
    expect(await readdir(server.path(backupDir))).toEqual(['filler']);

    const again = await run();
    expect(again.code, again.output).toBe(2);
    expect(again.msg('Cold account key')).toContain(`its mnemonic, the key's only backup, is not stored: ${mnemonicFile} does not exist`);
    expect(again.msg('Cold account key')).toContain('keys delete gpu1-cold');
    expect(existsSync(server.path(REGISTERED))).toBe(false);

    const kept = await run({ extraVars: { cold_mnemonic_kept_by_operator: true } });
    expect(kept.code, kept.output).toBe(0);
    expect(kept.msg('Cold account key')).toContain('kept by the operator');
    expect(kept.events.find((e) => e.type === 'recap')).toMatchObject({ operatorActions: [] });
    expect((await readFile(server.path(REGISTERED), 'utf8')).trim()).toMatch(PUBKEY);

    for (const res of [first, again, kept]) {
      expect(res.output).not.toContain('********');
      expect(res.output).not.toMatch(MNEMONIC_LIKE);
      expect(res.output).not.toContain(PASSWORD);
    }
  });

  it('an existing key whose mnemonic file is gone or readable by others stops the role; the path is shown, the mnemonic never', async () => {
    const mnemonicFile = '/root/offline/gpu1-cold.mnemonic';
    const onServer = server.path(mnemonicFile);
    await writeInventory({ serverVars: { keyring_password: PASSWORD, cold_mnemonic_file: mnemonicFile } });
    await writeSetupPlaybook();
    const first = await run();
    expect(first.code, first.output).toBe(0);
    expect(first.msg('Cold account key')).toContain(`its mnemonic is in ${mnemonicFile} (0600)`);
    expect(await modeOf(onServer)).toBe(0o600);
    const mnemonic = (await readFile(onServer, 'utf8')).trim();
    expect(mnemonic.split(' ')).toHaveLength(24);
    await rm(server.path(REGISTERED));

    await chmod(onServer, 0o644);
    const exposed = await run();
    expect(exposed.code).toBe(2);
    expect(exposed.msg('Cold account key')).toContain(`${mnemonicFile}, is readable by others: chmod 600 it`);

    await rm(onServer);
    const gone = await run();
    expect(gone.code).toBe(2);
    expect(gone.msg('Cold account key')).toContain(`${mnemonicFile} does not exist`);
    expect(existsSync(server.path(REGISTERED))).toBe(false);

    await writeFile(onServer, `${mnemonic}\n`, { mode: 0o600 });
    const restored = await run();
    expect(restored.code, restored.output).toBe(0);
    expect(restored.msg('Cold account key')).toContain(`kept in ${DEPLOY}/.inference on gpu1; its mnemonic is in ${mnemonicFile}`);

    for (const res of [first, exposed, gone, restored]) {
      expect(res.output).not.toContain(mnemonic);
      expect(res.output).not.toContain('********');
    }
  });

  it('refuses a cold_mnemonic_kept_by_operator that is not a boolean, naming it', async () => {
    await writeInventory({ serverVars: { keyring_password: PASSWORD, cold_mnemonic_kept_by_operator: 'maybe' } });
    const res = await run();
    expect(res.code).toBe(2);
    expect(res.output).toContain('cold_mnemonic_kept_by_operator');
    expect(existsSync(join(serverKeyring(), 'gpu1-cold.info'))).toBe(false);
  });
});

describe('keys role, secure workflow', () => {
  it('runs every cold-key command on the cold signer; the server gets only the public key', async () => {
    const passwordFile = join(dir, 'keyring-password');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    await writeInventory({ workflow: 'secure', serverVars: { keyring_password_file: passwordFile } });
    const first = await run();
    expect(first.code, first.output).toBe(0);
    expect(first.changed, first.output).toBe(2);
    expect(first.facts('Cold account key')!.account_pubkey).toMatch(PUBKEY);

    expect(existsSync(join(coldHome(), 'keyring-file', 'gpu1-cold.info'))).toBe(true);
    expect(existsSync(join(serverKeyring(), 'gpu1-cold.info'))).toBe(false);
    expect(existsSync(join(serverKeyring(), 'gpu1-warm.info'))).toBe(true);
    expect((await argvLines(coldArgvLog())).some(isKeysAdd('gpu1-cold'))).toBe(true);
    const serverArgv = await argvLines(serverArgvLog());
    expect(serverArgv.some(isKeysAdd('gpu1-warm'))).toBe(true);
    expect(serverArgv.filter((a) => a.includes('gpu1-cold'))).toEqual([]);

    const mnemonicFile = join(coldHome(), 'gpu1-cold.mnemonic');
    expect(await modeOf(mnemonicFile)).toBe(0o600);
    expect(existsSync(server.path(`${DEPLOY}/gpu1-cold.mnemonic`))).toBe(false);
    const mnemonic = (await readFile(mnemonicFile, 'utf8')).trim();

    const second = await run();
    expect(second.code, second.output).toBe(0);
    expect(second.changed).toBe(0);
    const logs = [first.output, second.output, await readFile(serverArgvLog(), 'utf8'), await readFile(coldArgvLog(), 'utf8')];
    for (const text of logs) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(mnemonic);
    }
  });

  it('fails, naming the group, without a cold signer', async () => {
    await writeInventory({ workflow: 'secure', coldSigner: false });
    const res = await run();
    expect(res.code).not.toBe(0);
    expect(res.output).toContain('cold_signer');
    expect(await argvLines(serverArgvLog())).toEqual([]);
  });
});
