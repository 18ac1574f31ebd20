import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { isPublicPort, NEVER_PUBLIC_PORTS } from '../../lib/gonka/hardening-policies.js';
import { parseEnvFile } from '../../lib/gonka/service-fingerprints.js';
import { runPlaybook } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { interpolate } from '../../sim/gonka/interpolate.mjs';
import { localWithEnv } from '../helpers/local-with-env.js';
import { canMount, mountSmallDisk, NOT_ROOT } from '../helpers/tmpfs.js';
import { recommendationFor, type GpuSet } from './fixtures.js';

const GOLDEN = join(import.meta.dirname, '..', 'fixtures', 'golden');
const PASSWORD = 'correct-horse-battery-staple';
const PUBKEY = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2';
const FILES = ['config.env', 'docker-compose.yml', 'node-config.json', 'nginx.conf', 'docker-compose.mlnode.yml'];
// the ML nginx listens on 8080+i inside its container (not versiond's 8080: a different service)
const INTERNAL_CONTAINER_PORTS = new Set([26657, 9100, 9200, 8080, 5000, 5001, 5002, 5003, 8081, 8082, 8083]);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

type Layout = 'full' | 'network' | 'mlnode';

interface Host {
  groups: string[];
  vars: Record<string, unknown>;
}

const deployDir = (host: string) => join(dir, host, 'deploy');

const baseVars = (host: string, network: string) => ({
  ansible_connection: 'local',
  gonka_deploy_dir: deployDir(host),
  hf_home: '/mnt/shared',
  gonka_network: network,
});

const hostsFor = async (layout: Layout, network: 'mainnet' | 'testnet', gpus: GpuSet): Promise<Record<string, Host>> => {
  const rec = await recommendationFor(gpus, network);
  const networkVars = { public_ip: '203.0.113.10', keyring_password: PASSWORD, account_pubkey: PUBKEY, key_name: 'gpu1-warm' };
  if (layout === 'full') return { gpu1: { groups: ['network_nodes', 'ml_nodes'], vars: { ...networkVars, gpu_recommendation: rec } } };
  const net = { groups: ['network_nodes'], vars: { ...networkVars, private_ip: '10.0.0.1' } };
  const ml = { groups: ['ml_nodes'], vars: { private_ip: '10.0.0.2', network_node: 'chain1', gpu_recommendation: rec } };
  return { chain1: net, ml1: ml };
};

const writeInventory = async (hosts: Record<string, Host>, network: string) => {
  const groups: Record<string, { hosts: Record<string, null> }> = { network_nodes: { hosts: {} }, ml_nodes: { hosts: {} } };
  const all: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(hosts)) {
    all[name] = { ...baseVars(name, network), ...h.vars };
    for (const g of h.groups) groups[g].hosts[name] = null;
  }
  await writeFile(join(dir, 'inventory.yml'), stringify({ all: { hosts: all, children: groups } }));
  await writeFile(join(dir, 'site.yml'), stringify([{ hosts: 'all', gather_facts: false, roles: ['config'] }]));
};

// a docker that records its arguments: the handler's compose calls are checked, nothing is started
const fakeDocker = async () => {
  await mkdir(join(dir, 'bin'), { recursive: true });
  const script = join(dir, 'bin', 'docker');
  await writeFile(
    script,
    // `ps` answers one container id, so removing an orphaned service's containers can be seen
    `#!/bin/sh\necho "$PWD $*" >> ${join(dir, 'docker.log')}\necho "KEYRING_PASSWORD=$KEYRING_PASSWORD" >> ${join(dir, 'docker-env.log')}\n[ "$1" = ps ] && echo c0ffee\nexit 0\n`,
  );
  await chmod(script, 0o755);
};

/** every script the runs sent to a host (the one-batch-per-play budget, issue 11) */
let scripts: string[] = [];

const run = async (extraVars: Record<string, unknown> = {}, diff = false, check = false) => {
  const events: RunEvent[] = [];
  const summary = await runPlaybook({
    playbook: join(dir, 'site.yml'),
    inventories: [join(dir, 'inventory.yml')],
    emit: (e) => events.push(e),
    extraVars,
    diff,
    check,
    // the recording docker first on PATH
    connect: async () => {
      const t = localWithEnv({ PATH: `${join(dir, 'bin')}:${process.env.PATH}` });
      return { ...t, exec: (script, opts) => (scripts.push(script), t.exec(script, opts)) };
    },
  });
  return { ...summary, events, output: JSON.stringify(events) };
};

const changedCount = (stats: Record<string, { changed: number }>) => Object.values(stats).reduce((n, s) => n + s.changed, 0);

const rendered = async (host: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const f of FILES) {
    const text = await readFile(join(deployDir(host), f), 'utf8').catch(() => undefined);
    if (text !== undefined) out[f] = text;
  }
  return out;
};

const normalize = (text: string) => text.split(dir).join('<tmp>');

interface Port {
  host_ip: string;
  published: number;
  target: number;
}

const publishedPorts = (compose: string): (Port & { service: string })[] => {
  const doc = parse(compose) as { services: Record<string, { ports?: string[] }> };
  return Object.entries(doc.services).flatMap(([service, s]) =>
    (s.ports ?? []).map((spec) => {
      const parts = spec.replace(/\/(tcp|udp)$/, '').split(':');
      return parts.length === 3
        ? { service, host_ip: parts[0], published: Number(parts[1]), target: Number(parts[2]) }
        : { service, host_ip: '', published: Number(parts[0]), target: Number(parts[1]) };
    }),
  );
};

// only p2p, the proxy and the bridge's geth p2p are public (lib/gonka/hardening-policies.ts); every other port is
// published on 127.0.0.1 or the private address, and the internal ones of today's stack never at all
const expectSafePorts = (compose: string, allowedInternal: string) => {
  for (const p of publishedPorts(compose)) {
    if (p.host_ip === '' || p.host_ip === '0.0.0.0') {
      expect(NEVER_PUBLIC_PORTS as readonly number[], `${p.service} publishes ${p.target} publicly`).not.toContain(p.target);
      expect(isPublicPort(p.service, `${p.target}/tcp`), `${p.service} publishes ${p.target} publicly`).toBe(true);
      continue;
    }
    expect(INTERNAL_CONTAINER_PORTS.has(p.target), `container port ${p.target}`).toBe(true);
    expect(['127.0.0.1', allowedInternal], `${p.published}:${p.target} on "${p.host_ip}"`).toContain(p.host_ip);
  }
};

describe('config role: golden renders', () => {
  const cases: [Layout, 'mainnet' | 'testnet', GpuSet][] = [];
  for (const layout of ['full', 'network', 'mlnode'] as const)
    for (const network of ['mainnet', 'testnet'] as const) for (const gpus of ['8xH100', '2xB200', '1xRTX3090'] as const) cases.push([layout, network, gpus]);

  it.each(cases)('%s / %s / %s', async (layout, network, gpus) => {
    await fakeDocker();
    await writeInventory(await hostsFor(layout, network, gpus), network);
    const first = await run();
    expect(first.code, first.output).toBe(0);
    const host = layout === 'full' ? 'gpu1' : layout === 'network' ? 'chain1' : 'ml1';
    const files = await rendered(host);
    const expected = layout === 'full' ? FILES : layout === 'network' ? FILES.slice(0, 3) : FILES.slice(3);
    expect(Object.keys(files).sort()).toEqual([...expected].sort());
    const name = `${layout}-${network}-${gpus}`;
    for (const [file, text] of Object.entries(files)) {
      await expect(normalize(text)).toMatchFileSnapshot(join(GOLDEN, name, file));
    }
    const internal = layout === 'full' ? '127.0.0.1' : host === 'chain1' ? '10.0.0.1' : '10.0.0.2';
    for (const f of ['docker-compose.yml', 'docker-compose.mlnode.yml']) if (files[f]) expectSafePorts(files[f], internal);
    if (files['node-config.json']) {
      const ids = (JSON.parse(files['node-config.json']) as { id: string }[]).map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const second = await run();
    expect(second.code).toBe(0);
    expect(changedCount(second.stats)).toBe(0);
  });
});

describe('config role: remote commands', () => {
  it('a no-change run reads the host once: the fingerprints and the templates in one batch', async () => {
    await fakeDocker();
    await writeInventory(await hostsFor('full', 'mainnet', '8xH100'), 'mainnet');
    expect((await run()).code).toBe(0);
    scripts = [];
    const second = await run();
    expect(second.code, second.output).toBe(0);
    expect(changedCount(second.stats)).toBe(0);
    expect(scripts, scripts.join('\n----\n')).toHaveLength(1);
  });
});

describe('config role: changes', () => {
  it('a changed variable rewrites only the affected file, keeps a backup, redacts config.env and recreates only the affected services', async () => {
    await fakeDocker();
    await writeInventory(await hostsFor('full', 'mainnet', '8xH100'), 'mainnet');
    expect((await run()).code).toBe(0);
    const before = await rendered('gpu1');
    const first = await readFile(join(dir, 'docker.log'), 'utf8').catch(() => '');
    expect(first).toBe('');

    const pw = await run({ keyring_password: 'another-long-password' }, true);
    expect(pw.code, pw.output).toBe(0);
    expect(pw.output).not.toContain('another-long-password');
    expect(pw.output).not.toContain(PASSWORD);
    const after = await rendered('gpu1');
    expect(FILES.filter((f) => before[f] !== after[f])).toEqual(['config.env']);
    expect((await readdir(deployDir('gpu1'))).filter((f) => f.startsWith('config.env.') && f.endsWith('~'))).toHaveLength(1);
    // api and versiond both read the keyring password
    expect(await readFile(join(dir, 'docker.log'), 'utf8')).toBe(`${deployDir('gpu1')} compose -f docker-compose.yml up -d --no-deps api versiond\n`);

    await rm(join(dir, 'docker.log'));
    const port = await run({ gonka_api_port: 8001 }, true);
    expect(port.code, port.output).toBe(0);
    const third = await rendered('gpu1');
    expect(FILES.filter((f) => after[f] !== third[f])).toEqual(['config.env', 'docker-compose.yml']);
    expect(port.output).toContain('8001:80');
    expect(await readFile(join(dir, 'docker.log'), 'utf8')).toBe(`${deployDir('gpu1')} compose -f docker-compose.yml up -d --no-deps api versiond proxy\n`);
  });

  const fullDiskTitle = 'a full disk fails "Render config.env" with the errno, keeps the deployed file, leaves no temp file and recreates nothing';
  it.skipIf(!canMount)(canMount ? fullDiskTitle : `${fullDiskTitle} (skipped: ${NOT_ROOT})`, async () => {
    await fakeDocker();
    await writeInventory(await hostsFor('full', 'mainnet', '8xH100'), 'mainnet');
    const disk = await mountSmallDisk(deployDir('gpu1'), 256);
    try {
      expect((await run()).code).toBe(0);
      const before = await rendered('gpu1');
      // fill what is left of the disk: the next write cannot complete
      execFileSync('sh', ['-c', `head -c 1048576 /dev/zero > '${deployDir('gpu1')}/filler' 2>/dev/null; true`]);

      const full = await run({ keyring_password: 'another-long-password' });
      expect(full.code, full.output).toBe(2);
      const result = full.events.find((e) => e.type === 'task_result' && e.task.endsWith('Render config.env'));
      expect(result).toMatchObject({ status: 'failed' });
      expect(JSON.stringify(result)).toContain('No space left on device');
      expect(await rendered('gpu1')).toEqual(before);
      expect((await readdir(deployDir('gpu1'))).filter((f) => f.includes('.nop-'))).toEqual([]);
      expect(await readFile(join(dir, 'docker.log'), 'utf8').catch(() => '')).toBe('');
    } finally {
      await disk.unmount();
    }
  });

  it('fails naming a missing or invalid variable, before writing anything', async () => {
    await fakeDocker();
    const hosts = await hostsFor('network', 'mainnet', '8xH100');
    delete hosts.chain1.vars.public_ip;
    await writeInventory(hosts, 'mainnet');
    const missing = await run();
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("variable 'public_ip'");
    expect(missing.output).not.toContain(PASSWORD);
    expect((await rendered('chain1'))['config.env']).toBeUndefined();

    hosts.chain1.vars.public_ip = '203.0.113.10';
    delete hosts.ml1.vars.private_ip;
    await writeInventory(hosts, 'mainnet');
    const noPrivate = await run();
    expect(noPrivate.output).toContain("variable 'private_ip'");

    hosts.ml1.vars.private_ip = '0.0.0.0';
    await writeInventory(hosts, 'mainnet');
    expect((await run()).output).toContain('never 0.0.0.0');
  });

  it('refuses a private or loopback public_ip unless allow_private_public_ip says it is meant', async () => {
    await fakeDocker();
    const hosts = await hostsFor('full', 'mainnet', '8xH100');
    for (const [ip, why] of [
      ['10.0.0.5', '10.0.0.5 is a private network address'],
      ['127.0.0.1', '127.0.0.1 is a loopback address (this machine only)'],
      ['localhost', 'localhost names this machine only'],
    ]) {
      hosts.gpu1.vars.public_ip = ip;
      await writeInventory(hosts, 'mainnet');
      const refused = await run();
      expect(refused.code).toBe(2);
      expect(refused.output).toContain(`variable 'public_ip': ${why}, so other participants cannot reach PUBLIC_URL`);
      expect((await rendered('gpu1'))['config.env']).toBeUndefined();
    }
    hosts.gpu1.vars.public_ip = '10.0.0.5';
    hosts.gpu1.vars.allow_private_public_ip = true;
    await writeInventory(hosts, 'mainnet');
    const allowed = await run();
    expect(allowed.code, allowed.output).toBe(0);
    expect((await rendered('gpu1'))['config.env']).toContain('PUBLIC_URL=http://10.0.0.5:8000');
  });

  it('reads the keyring password from keyring_password_file and applies network overrides', async () => {
    await fakeDocker();
    const hosts = await hostsFor('full', 'testnet', '1xRTX3090');
    delete hosts.gpu1.vars.keyring_password;
    const pwFile = join(dir, 'keyring-password');
    await writeFile(pwFile, 'from-a-file-secret\n', { mode: 0o600 });
    hosts.gpu1.vars.keyring_password_file = pwFile;
    hosts.gpu1.vars.gonka_network_overrides = { seed_api_url: 'http://seed.example.org:8000' };
    await writeInventory(hosts, 'testnet');
    const res = await run();
    expect(res.code, res.output).toBe(0);
    expect(res.output).not.toContain('from-a-file-secret');
    const env = (await rendered('gpu1'))['config.env'];
    expect(env).toContain("export KEYRING_PASSWORD='from-a-file-secret'");
    expect(env).toContain('export SEED_API_URL=http://seed.example.org:8000');

    // the file's path is a location, shown so the message can name it; what it holds stays hidden
    await rm(pwFile);
    const missing = await run();
    expect(missing.code).toBe(2);
    expect(missing.output).toContain(`variable 'keyring_password_file': cannot read ${pwFile} (ENOENT)`);
  });

  it("an older stack's compose file: the services it lacked are started, a profile-gated one only with its profile", async () => {
    await fakeDocker();
    await writeInventory(await hostsFor('full', 'mainnet', '8xH100'), 'mainnet');
    expect((await run()).code).toBe(0);
    const file = join(deployDir('gpu1'), 'docker-compose.yml');
    const doc = parse(await readFile(file, 'utf8')) as { services: Record<string, unknown> };
    for (const name of ['versiond', 'edge-api', 'proxy-ssl']) delete doc.services[name];
    await writeFile(file, stringify(doc));
    await rm(join(dir, 'docker.log'), { force: true });
    const res = await run();
    expect(res.code, res.output).toBe(0);
    // proxy-ssl (profile ssl, off without a domain) is not named: `up` would start it whatever its profile
    expect(await readFile(join(dir, 'docker.log'), 'utf8')).toBe(`${deployDir('gpu1')} compose -f docker-compose.yml up -d --no-deps edge-api versiond\n`);
  });

  it('the bridge off closes 30303; a domain turns proxy-ssl on through config.env, its credentials only there', async () => {
    await fakeDocker();
    await writeInventory(await hostsFor('full', 'mainnet', '8xH100'), 'mainnet');
    const standard = await run();
    expect(standard.code, standard.output).toBe(0);
    const before = await rendered('gpu1');
    expect(publishedPorts(before['docker-compose.yml']).filter((p) => p.target === 30303)).toHaveLength(2);
    expect(before['config.env']).not.toContain('COMPOSE_PROFILES');

    const token = 'cf-token-that-must-stay-secret';
    const ssl = {
      gonka_bridge: false,
      gonka_ssl_domain: 'node.example.org',
      gonka_acme_email: 'ops@example.org',
      gonka_acme_dns_provider: 'cloudflare',
      gonka_acme_credentials: { CF_DNS_API_TOKEN: token },
    };
    await rm(join(dir, 'docker.log'), { force: true });
    // check mode writes nothing, yet plans from the files the templates would write
    const plan = await run(ssl, true, true);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toMatch(/would recreate docker-compose.yml: [^"]*\bproxy\b[^"]*; removed: bridge/);
    expect(plan.output).not.toContain(token);
    expect(await rendered('gpu1')).toEqual(before);
    const res = await run(ssl, true);
    expect(res.code, res.output).toBe(0);
    expect(res.output).not.toContain(token);
    // the bridge's container is removed (compose no longer knows it), then the changed services recreated
    const calls = (await readFile(join(dir, 'docker.log'), 'utf8')).split('\n').map((line) => line.split(' ').slice(1).join(' '));
    expect(calls.slice(0, 2)).toEqual([
      'ps -aq --filter label=com.docker.compose.project=deploy --filter label=com.docker.compose.service=bridge',
      'rm -f c0ffee',
    ]);
    expect(calls[2]).toMatch(/^compose -f docker-compose.yml up -d --no-deps .*\bproxy-ssl\b/);
    const after = await rendered('gpu1');
    expect(parse(after['docker-compose.yml']).services.bridge).toBeUndefined();
    expect(publishedPorts(after['docker-compose.yml']).filter((p) => p.target === 30303)).toEqual([]);
    const env = parseEnvFile(after['config.env']);
    expect(env).toMatchObject({ COMPOSE_PROFILES: 'ssl', CERT_ISSUER_DOMAIN: 'node.example.org', ACME_DNS_PROVIDER: 'cloudflare', CF_DNS_API_TOKEN: token });

    const { gonka_acme_email: _, ...noEmail } = ssl;
    const missing = await run(noEmail);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("variable 'gonka_acme_email'");
    const unknown = await run({ ...ssl, gonka_acme_credentials: { SOME_OTHER_TOKEN: 'x' } });
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('gonka_acme_credentials');
  });
});

describe('config role: values that reach a shell or compose', () => {
  // dash on Debian and Ubuntu: the shell `set -a; . ./config.env` runs in
  const sourced = (names: string[]) =>
    execFileSync('sh', ['-c', `set -a; . ./config.env; set +a; for n in ${names.join(' ')}; do eval "printf '%s\\0' \\"\\$$n\\""; done`], {
      cwd: deployDir('gpu1'),
      encoding: 'utf8',
    })
      .split('\0')
      .slice(0, names.length);

  it('config.env sourced by sh runs nothing and keeps spaces, quotes, $ and backticks; compose reads the same values', async () => {
    await fakeDocker();
    const canary = (n: number) => join(dir, `ran-${n}`);
    const hfHome = `/mnt/sha red$(touch ${canary(1)})\`touch ${canary(2)}\`'q"$HOME`;
    const password = `pa ss'"$(touch ${canary(3)})\`touch ${canary(4)}\`$HOME\\`;
    const hosts = await hostsFor('full', 'mainnet', '1xRTX3090');
    Object.assign(hosts.gpu1.vars, { hf_home: hfHome, keyring_password: password });
    await writeInventory(hosts, 'mainnet');
    const res = await run();
    expect(res.code, res.output).toBe(0);

    expect(sourced(['HF_HOME', 'KEYRING_PASSWORD', 'PUBLIC_URL'])).toEqual([hfHome, password, 'http://203.0.113.10:8000']);
    for (const n of [1, 2, 3, 4]) expect(existsSync(canary(n)), `ran-${n}`).toBe(false);

    // compose interpolates the files with the environment config.env exported (the simulator's docker compose reader)
    const env = Object.fromEntries(
      execFileSync('sh', ['-c', 'set -a; . ./config.env; set +a; env -0'], { cwd: deployDir('gpu1'), encoding: 'utf8' })
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const compose = async (file: string) => parse(interpolate(await readFile(join(deployDir('gpu1'), file), 'utf8'), env));
    const api = (await compose('docker-compose.yml')).services.api.environment as string[];
    expect(api).toContain(`KEYRING_PASSWORD=${password}`);
    const ml = (await compose('docker-compose.mlnode.yml')).services['mlnode-1'].volumes as string[];
    expect(ml).toEqual([`${hfHome}:/root/.cache`]);
    // and nop's own reader of config.env (which services to recreate) reads what sh reads
    expect(parseEnvFile(await readFile(join(deployDir('gpu1'), 'config.env'), 'utf8'))).toMatchObject({ HF_HOME: hfHome, KEYRING_PASSWORD: password });
  });

  it.each([
    ['hf_home', { hf_home: '/mnt/shared\nexport EVIL=1' }, 'control character'],
    ['hf_home', { hf_home: '/mnt/a:/etc' }, "must not contain ':'"],
    ['keyring_password', { keyring_password: 'long-enough\ntouch /tmp/x' }, 'control character'],
    ['gonka_network_overrides.seed_api_url', { gonka_network_overrides: { seed_api_url: 'http://x/$(id)' } }, 'expected http(s)://HOST'],
    [
      'gonka_network_overrides.rpc_servers.1',
      { gonka_network_overrides: { rpc_servers: ['http://a:26657', 'http://b:26657/`id`'] } },
      'expected http(s)://HOST',
    ],
    ['public_ip', { public_ip: '203.0.113.10$(id)' }, 'expected an IPv4 address (never 0.0.0.0) or a DNS name'],
    ['public_ip', { public_ip: '0.0.0.0' }, 'expected an IPv4 address (never 0.0.0.0) or a DNS name'],
  ])('refuses %s that no reader could keep, naming it, before writing anything', async (variable, vars, why) => {
    await fakeDocker();
    const hosts = await hostsFor('full', 'mainnet', '1xRTX3090');
    Object.assign(hosts.gpu1.vars, vars);
    await writeInventory(hosts, 'mainnet');
    const res = await run();
    expect(res.code).toBe(2);
    expect(res.output).toContain(variable);
    expect(res.output).toContain(why);
    expect(res.output).not.toContain('touch /tmp/x');
    expect((await rendered('gpu1'))['config.env']).toBeUndefined();
  });
});
