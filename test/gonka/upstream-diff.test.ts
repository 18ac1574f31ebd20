import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { upstreamDiffCommand, type LabelledDifference } from '../../lib/cli/upstream-command.js';
import { renderDeployFiles } from '../../lib/gonka/render-deploy-files.js';
import { catalogRecommendationFor, recommendationFor } from '../config/fixtures.js';
import { sharedUpstreamDir } from '../helpers/shared-upstream.js';

// upstream's verbatim deploy/join files, beside the repository (read here, never copied into it)
const UPSTREAM = sharedUpstreamDir();
const PASSWORD = 'correct-horse-battery-staple';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-upstream-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

// the demo's server (sim/demo.ts): one 8×H100 host running the network node and its ML nodes, its own seed
const demoHost = async (extra: Record<string, unknown> = {}) => ({
  ansible_connection: 'local',
  gonka_deploy_dir: join(dir, 'deploy'),
  gonka_network: 'mainnet',
  public_ip: '127.0.0.1',
  allow_private_public_ip: true,
  key_name: 'demo',
  keyring_password: PASSWORD,
  gonka_network_overrides: { seed_api_url: 'http://127.0.0.1:18000', seed_node_rpc_url: 'http://127.0.0.1:36657' },
  // what gpu-detect chose there from the catalog and the simulated chain's coefficients
  gpu_recommendation: await catalogRecommendationFor('8xH100'),
  ...extra,
});

const writeInventory = async (hosts: Record<string, { groups: string[]; vars: Record<string, unknown> }>) => {
  const children: Record<string, { hosts: Record<string, null> }> = { network_nodes: { hosts: {} }, ml_nodes: { hosts: {} } };
  for (const [name, h] of Object.entries(hosts)) for (const g of h.groups) children[g].hosts[name] = null;
  const file = join(dir, 'inventory.yml');
  await writeFile(file, stringify({ all: { hosts: Object.fromEntries(Object.entries(hosts).map(([n, h]) => [n, h.vars])), children } }));
  return file;
};

const demoInventory = async (extra: Record<string, unknown> = {}) =>
  writeInventory({ gpu1: { groups: ['network_nodes', 'ml_nodes'], vars: await demoHost(extra) } });

const diff = async (opts: Partial<Parameters<typeof upstreamDiffCommand>[0]> & { inventory: string[] }) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await upstreamDiffCommand({ out: (t) => out.push(t), err: (t) => err.push(t), ...opts });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const jsonDiff = async (opts: Partial<Parameters<typeof upstreamDiffCommand>[0]> & { inventory: string[] }) => {
  const res = await diff({ ...opts, json: true });
  const doc = JSON.parse(res.out) as { hosts: Record<string, { differences: LabelledDifference[] }>; policies: { id: string }[] };
  return { code: res.code, doc, differences: (host: string) => doc.hosts[host].differences };
};

/** A copy of upstream's files in a temp directory, one of them edited: upstream moving. */
const movedUpstream = async (file: string, edit: (text: string) => string): Promise<string> => {
  const copy = join(dir, 'upstream');
  await cp(UPSTREAM, copy, { recursive: true });
  await writeFile(join(copy, file), edit(await readFile(join(copy, file), 'utf8')));
  return copy;
};

describe('nop upstream diff', () => {
  it("on the demo's files: every difference from upstream's deploy/join is a declared policy or the inventory's choice", async () => {
    const { code, doc, differences } = await jsonDiff({ inventory: [await demoInventory()], dir: UPSTREAM });
    const found = differences('gpu1');
    expect(
      found.filter((d) => !d.policy),
      'undeclared drift',
    ).toEqual([]);
    expect(code).toBe(0);
    // the hardening shows up, labelled: 9100 on loopback, not on every interface
    expect(found).toContainEqual(
      expect.objectContaining({
        service: 'api',
        aspect: 'port',
        key: '9100/tcp',
        upstream: '0.0.0.0:9100',
        nop: '127.0.0.1:9100',
        policy: 'internal-ports-private',
      }),
    );
    // the demo's own seed is the inventory's choice, not drift
    expect(found).toContainEqual(expect.objectContaining({ aspect: 'variable', key: 'SEED_API_URL', policy: 'inventory' }));
    // and nothing of upstream's standard stack is missing: every upstream service is there
    expect(found.filter((d) => d.aspect === 'service' && d.nop === undefined)).toEqual([]);
    expect(doc.policies.map((p) => p.id)).toContain('internal-ports-private');
  });

  it('a split fleet (network node, ML server on the private network): no drift on either host', async () => {
    const rec = await recommendationFor('8xH100', 'mainnet');
    const inventory = await writeInventory({
      chain1: {
        groups: ['network_nodes'],
        vars: { ansible_connection: 'local', public_ip: '203.0.113.10', private_ip: '10.0.0.1', keyring_password: PASSWORD, gonka_network: 'mainnet' },
      },
      ml1: { groups: ['ml_nodes'], vars: { ansible_connection: 'local', private_ip: '10.0.0.2', network_node: 'chain1', gpu_recommendation: rec } },
    });
    const { code, differences } = await jsonDiff({ inventory: [inventory], dir: UPSTREAM });
    expect([...differences('chain1'), ...differences('ml1')].filter((d) => !d.policy)).toEqual([]);
    expect(code).toBe(0);
    expect(differences('chain1')).toContainEqual(
      expect.objectContaining({ key: 'DAPI_API__POC_CALLBACK_URL', nop: 'http://10.0.0.1:9100', policy: 'split-topology' }),
    );
    expect(differences('chain1')).toContainEqual(
      expect.objectContaining({ service: 'api', key: '9100/tcp', nop: '10.0.0.1:9100', policy: 'internal-ports-private' }),
    );
    expect(differences('ml1')).toContainEqual(
      expect.objectContaining({ service: 'inference', key: '8080/tcp', nop: '10.0.0.2:8080', policy: 'internal-ports-private' }),
    );
  });

  it('names what upstream changed as drift and exits 1: a new image tag, a new env var, a new service, a port made public', async () => {
    const moved = await movedUpstream('docker-compose.yml', (text) => {
      const doc = parse(text) as { services: Record<string, { image: string; environment: string[]; ports?: string[] }> };
      doc.services.node.image = 'ghcr.io/product-science/inferenced:0.2.99';
      doc.services.api.environment.push('DAPI_NEW_SETTING=on');
      doc.services['new-sidecar'] = { image: 'ghcr.io/product-science/sidecar:0.2.99', environment: [] };
      doc.services.proxy.environment = doc.services.proxy.environment.map((e) => (e.startsWith('EXEMPT_CONN_LIMIT=') ? 'EXEMPT_CONN_LIMIT=400' : e));
      return stringify(doc);
    });
    const { code, differences } = await jsonDiff({ inventory: [await demoInventory()], dir: moved });
    expect(code).toBe(1);
    const drift = differences('gpu1').filter((d) => !d.policy);
    expect(drift).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'node', aspect: 'image', key: 'tag', upstream: '0.2.99', nop: '0.2.15' }),
        expect.objectContaining({ service: 'api', aspect: 'env', key: 'DAPI_NEW_SETTING', upstream: 'on' }),
        expect.objectContaining({ service: 'new-sidecar', aspect: 'service', upstream: 'new-sidecar' }),
        expect.objectContaining({ service: 'proxy', aspect: 'env', key: 'EXEMPT_CONN_LIMIT', upstream: '400', nop: '200' }),
      ]),
    );
    expect(drift).toHaveLength(4);
    const text = await diff({ inventory: [join(dir, 'inventory.yml')], dir: moved });
    expect(text.out).toMatch(/DRIFT\s+docker-compose.yml node image tag: upstream 0.2.99 -> nop 0.2.15/);
  });

  it('a nop template that publishes an internal port on every interface is drift, never a policy', async () => {
    // upstream keeps 9200 on 127.0.0.1; were nop to publish it publicly, no policy may explain it
    const { differences } = await jsonDiff({ inventory: [await demoInventory()], dir: UPSTREAM });
    expect(differences('gpu1').find((d) => d.key === '9200/tcp')).toBeUndefined();
    const moved = await movedUpstream('docker-compose.yml', (t) => t.replace('"127.0.0.1:9200:9200"', '"9200:9200"'));
    const publicUpstream = await jsonDiff({ inventory: [join(dir, 'inventory.yml')], dir: moved });
    // upstream public, nop loopback: nop's hardening
    expect(publicUpstream.differences('gpu1').find((d) => d.key === '9200/tcp')?.policy).toBe('internal-ports-private');
  });

  it('the bridge left out and a domain for proxy-ssl: both labelled; no secret value is shown', async () => {
    const inventory = await demoInventory({
      gonka_bridge: false,
      gonka_ssl_domain: 'node.example.org',
      gonka_acme_email: 'ops@example.org',
      gonka_acme_dns_provider: 'cloudflare',
      gonka_acme_credentials: { CF_DNS_API_TOKEN: 'cf-secret-token-value' },
    });
    const { code, differences } = await jsonDiff({ inventory: [inventory], dir: UPSTREAM });
    const found = differences('gpu1');
    expect(found.filter((d) => !d.policy)).toEqual([]);
    expect(code).toBe(0);
    expect(found).toContainEqual({
      file: 'docker-compose.yml',
      service: 'bridge',
      aspect: 'service',
      key: 'bridge',
      upstream: 'bridge',
      policy: 'bridge-optional',
    });
    expect(found).toContainEqual(expect.objectContaining({ aspect: 'variable', key: 'COMPOSE_PROFILES', nop: 'ssl', policy: 'ssl-with-domain' }));
    expect(found).toContainEqual(expect.objectContaining({ service: 'proxy-ssl', key: 'CF_DNS_API_TOKEN', nop: '********', policy: 'ssl-with-domain' }));
    const text = await diff({ inventory: [inventory], dir: UPSTREAM });
    expect(text.out + text.err).not.toContain('cf-secret-token-value');
    expect(text.out + text.err).not.toContain(PASSWORD);
  });

  it('--ref reads the release from a server (GitHub on an operator machine; a loopback server here)', async () => {
    const served: string[] = [];
    const server: Server = createServer(async (req, res) => {
      served.push(req.url ?? '');
      const m = /^\/release\/v0\.2\.15\/deploy\/join\/([\w.-]+)$/.exec(req.url ?? '');
      const text = m ? await readFile(join(UPSTREAM, m[1]), 'utf8').catch(() => undefined) : undefined;
      res.statusCode = text === undefined ? 404 : 200;
      res.end(text ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const source = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const inventory = [await demoInventory()];
      // no --ref: the release nop pins (data/versions.yml)
      const pinned = await diff({ inventory, source });
      expect(pinned.code, pinned.err).toBe(0);
      expect(served).toContain('/release/v0.2.15/deploy/join/docker-compose.yml');
      expect(served).toContain('/release/v0.2.15/deploy/join/config.env.template');
      await expect(diff({ inventory, source, ref: 'release/v9.9.9' })).rejects.toThrow(/HTTP 404 \(no such ref or file\)/);
      await expect(diff({ inventory, source, ref: '../../etc' })).rejects.toThrow(/is not a git ref/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('--deployed compares the files on the host; a hand edit there is drift', async () => {
    const vars = await demoHost();
    const inventory = await demoInventory();
    const { files } = await renderDeployFiles({
      vars: { ...vars, inventory_hostname: 'gpu1', group_names: ['ml_nodes', 'network_nodes'] },
      hostVar: () => undefined,
      mlHosts: ['gpu1'],
    });
    await mkdir(join(dir, 'deploy'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'deploy', name), text!);
    const clean = await jsonDiff({ inventory: [inventory], dir: UPSTREAM, deployed: true });
    // deployed: the inventory's seed is not known to be a choice, so it shows as drift; everything else is policy
    expect(
      clean
        .differences('gpu1')
        .filter((d) => !d.policy)
        .map((d) => `${d.service ?? d.file} ${d.key}`),
    ).toEqual(['config.env SEED_API_URL', 'config.env SEED_NODE_RPC_URL', 'node SEED_NODE_RPC_URL', 'api DAPI_CHAIN_NODE__SEED_API_URL']);
    const compose = join(dir, 'deploy', 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('"127.0.0.1:9200:9200"', '"9200:9200"'));
    const edited = await jsonDiff({ inventory: [inventory], dir: UPSTREAM, deployed: true });
    expect(edited.code).toBe(1);
    expect(edited.differences('gpu1')).toContainEqual({
      file: 'docker-compose.yml',
      service: 'api',
      aspect: 'port',
      key: '9200/tcp',
      upstream: '127.0.0.1:9200',
      nop: '0.0.0.0:9200',
    });
  });

  it('bad options and hosts that cannot be compared are named', async () => {
    const inventory = [await demoInventory()];
    await expect(diff({ inventory, dir: UPSTREAM, ref: 'main' })).rejects.toThrow(/--ref and --dir are exclusive/);
    await expect(diff({ inventory, dir: join(dir, 'nowhere') })).rejects.toThrow(/cannot read .*nowhere.*ENOENT/);
    await expect(diff({ inventory, dir: UPSTREAM, limit: 'nohost' })).rejects.toThrow(/no host of network_nodes or ml_nodes matched --limit nohost/);
    const unsized = await writeInventory({ ml9: { groups: ['ml_nodes'], vars: { ansible_connection: 'local', private_ip: '10.0.0.9', network_node: 'x' } } });
    const res = await diff({ inventory: [unsized], dir: UPSTREAM });
    expect(res.code).toBe(2);
    expect(res.err).toMatch(/ml9: ERROR variable 'gpu_recommendation'.*--deployed/);
  });
});
