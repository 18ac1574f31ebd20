import { describe, expect, it } from 'vitest';
import { composeProfiles, composeServices, publishedPorts } from '../../../lib/day2/deploy-endpoints.js';
import type { HostStatusData } from '../../../lib/day2/host-status.js';
import { statusChecks } from '../../../lib/day2/status-checks.js';
import type { ListeningSocket } from '../../../lib/day2/status-probe.js';
import { NEVER_PUBLIC_PORTS } from '../../../lib/gonka/hardening-policies.js';
import { participationChecks, participationOf, withCommits } from '../../../lib/day2/participation-status.js';
import { DEFAULT_CHAIN, paramsJson } from '../../../sim/gonka/chain-params.mjs';
import { DEFAULT_SCENARIO } from '../../../sim/gonka/scenario.mjs';

// The shape of nop's rendered stack that matters here: upstream's public ports (p2p, proxy HTTP/HTTPS, the bridge's
// geth p2p), loopback-only admin ports, and proxy-ssl behind the `ssl` profile.
const COMPOSE = `
services:
  node:
    ports: ["5000:26656", "127.0.0.1:26657:26657"]
  api:
    ports: ["127.0.0.1:9100:9100", "127.0.0.1:9200:9200"]
  bridge:
    ports: ["30303:30303/tcp", "30303:30303/udp"]
  proxy:
    ports: ["8000:80", "8443:443"]
  proxy-ssl:
    profiles: [ssl]
  inference:
    ports: ["127.0.0.1:8080:8080"]
`;

const hostData = (opts: { compose?: string; env?: Record<string, string>; running: string[]; listening: ListeningSocket[] }): HostStatusData => {
  const text = opts.compose ?? COMPOSE;
  return {
    host: 'gpu1',
    network: false,
    ml: false,
    probe: {
      deployDir: '/opt/gonka/deploy/join',
      env: opts.env ?? {},
      configEnvMode: '600',
      compose: [{ file: 'docker-compose.yml', services: composeServices(text), profiles: composeProfiles(text), ports: publishedPorts(text) }],
      containers: opts.running.map((service) => ({ file: 'docker-compose.yml', service, state: 'running', status: 'Up' })),
      listening: opts.listening,
      dockerUserRules: ['-A DOCKER-USER -j RETURN'],
      gpus: null,
    },
    gpuFacts: null,
    endpoints: {},
    chain: null,
    peers: null,
    networkHeight: null,
    epoch: null,
    participant: null,
    mlNodes: null,
    participation: null,
    at: 0,
  };
};

const ALWAYS = ['node', 'api', 'bridge', 'proxy', 'inference'];
const PUBLIC = [5000, 30303, 8000, 8443].map((port) => ({ address: '0.0.0.0', port }));
const PRIVATE = [26657, 9100, 9200, 8080].map((port) => ({ address: '127.0.0.1', port }));
const checkOf = (d: HostStatusData, id: string) => statusChecks(d).find((c) => c.id === id);

describe('status checks: compose profiles', () => {
  it('a service of an inactive profile (proxy-ssl without COMPOSE_PROFILES=ssl) is not required to run', () => {
    expect(checkOf(hostData({ running: ALWAYS, listening: [] }), 'containers')).toMatchObject({ level: 'OK', value: '5/5 running' });
  });

  it('with COMPOSE_PROFILES=ssl, proxy-ssl not running is a FAIL', () => {
    const c = checkOf(hostData({ env: { COMPOSE_PROFILES: 'ssl' }, running: ALWAYS, listening: [] }), 'containers');
    expect(c).toMatchObject({ level: 'FAIL', value: 'not running: proxy-ssl' });
    expect(checkOf(hostData({ env: { COMPOSE_PROFILES: 'ssl' }, running: [...ALWAYS, 'proxy-ssl'], listening: [] }), 'containers')?.level).toBe('OK');
  });
});

describe('status checks: ports on a public address', () => {
  it("upstream's public ports (p2p, proxy HTTP and HTTPS 8443, the bridge's 30303) on 0.0.0.0 are OK", () => {
    expect(checkOf(hostData({ running: ALWAYS, listening: [...PUBLIC, ...PRIVATE] }), 'internal_ports')?.level).toBe('OK');
  });

  it('a never-public port (the ML nginx, 8080) on 0.0.0.0 is a FAIL', () => {
    expect(NEVER_PUBLIC_PORTS).toContain(8080);
    const compose = COMPOSE.replace('"127.0.0.1:8080:8080"', '"8080:8080"');
    const c = checkOf(hostData({ compose, running: ALWAYS, listening: [...PUBLIC, { address: '0.0.0.0', port: 8080 }] }), 'internal_ports');
    expect(c).toMatchObject({ level: 'FAIL', value: 'exposed: 0.0.0.0:8080' });
  });

  it('an admin port (9200) on :: is a FAIL', () => {
    const c = checkOf(hostData({ running: ALWAYS, listening: [...PUBLIC, { address: '::', port: 9200 }] }), 'internal_ports');
    expect(c).toMatchObject({ level: 'FAIL', value: 'exposed: :::9200' });
  });

  it("the bridge's 30303 is not public when another service publishes it", () => {
    const compose = COMPOSE.replace('  bridge:\n    ports: ["30303:30303/tcp", "30303:30303/udp"]\n', '  explorer:\n    ports: ["30303:30303"]\n');
    const c = checkOf(hostData({ compose, running: ALWAYS, listening: [{ address: '0.0.0.0', port: 30303 }] }), 'internal_ports');
    expect(c?.level).toBe('FAIL');
  });
});

describe('status checks: participation per PoC model', () => {
  const SELF = 'gonka1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq';
  const PEER = 'gonka1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz';
  const [MINIMAX, DEEPSEEK, GLM] = ['MiniMaxAI/MiniMax-M2.7', 'deepseek-ai/DeepSeek-V4-Flash-0731', 'zai-org/GLM-5.3-Flash'];
  const params = { rc: 0, output: JSON.stringify(paramsJson(DEFAULT_CHAIN, DEFAULT_SCENARIO.epoch)) };
  const choices = (records: object) => ({ rc: 0, output: JSON.stringify({ delegations: [], refusals: [], intents: [], ...records }) });
  const levels = (epoch: number, records: object, commit?: { rc: number; output: string }) => {
    const p = participationOf({ params, choices: choices(records) }, SELF, new Set([MINIMAX]), epoch);
    const checks = participationChecks(withCommits(p, new Map(commit ? [[PEER, commit]] : [])));
    return Object.fromEntries(checks.map((c) => [c.id, `${c.level} ${c.value}`]));
  };

  it('serving, delegated to a delegate that committed PoC this epoch, refused: OK', () => {
    const commit = { rc: 0, output: JSON.stringify({ commits: [{ participant_address: PEER, model_id: DEEPSEEK, count: '32' }] }) };
    const l = levels(
      422,
      { delegations: [{ model_id: DEEPSEEK, delegator: SELF, delegate_to: PEER }], refusals: [{ model_id: GLM, participant: SELF }] },
      commit,
    );
    expect(l).toEqual({
      [`poc:${MINIMAX}`]: 'OK serving',
      [`poc:${DEEPSEEK}`]: `OK delegated to ${PEER} (committed PoC this epoch)`,
      [`poc:${GLM}`]: 'OK refused',
    });
  });

  it('a delegate without a commit this epoch, or nothing: FAIL once the penalty applies, WARN before', () => {
    const notFound = { rc: 1, output: 'Error: rpc error: code = NotFound desc = store commit not found' };
    const records = { delegations: [{ model_id: DEEPSEEK, delegator: SELF, delegate_to: PEER }] };
    const after = levels(422, records, notFound);
    expect(after[`poc:${DEEPSEEK}`]).toMatch(/^FAIL delegated to .* has not committed PoC for it this epoch: counts as nothing \(0.15 of its weight per epoch/);
    expect(after[`poc:${GLM}`]).toMatch(/^FAIL nothing: set poc_participation .*penalty since epoch 394/);
    // GLM's penalty starts at epoch 394; DeepSeek's at 360
    const before = levels(380, records, notFound);
    expect(before[`poc:${GLM}`]).toMatch(/^WARN nothing: .*penalty from epoch 394/);
    expect(before[`poc:${DEEPSEEK}`]).toMatch(/^FAIL/);
    expect(levels(300, records, notFound)[`poc:${DEEPSEEK}`]).toMatch(/^WARN/);
  });

  it('a commit query that fails for another reason is unknown: WARN, with why', () => {
    const l = levels(422, { delegations: [{ model_id: DEEPSEEK, delegator: SELF, delegate_to: PEER }] }, { rc: 1, output: 'Error: connection refused' });
    expect(l[`poc:${DEEPSEEK}`]).toMatch(/^WARN delegated to .*its PoC commit unknown: Error: connection refused/);
  });
});
