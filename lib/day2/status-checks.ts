import { checkDriverConsistency } from '../gpu/driver-check.js';
import { isPublicPort } from '../gonka/hardening-policies.js';
import { serviceStarts } from './deploy-endpoints.js';
import type { HostStatusData } from './host-status.js';
import { participationChecks } from './participation-status.js';

export type Level = 'OK' | 'WARN' | 'FAIL';

export interface Check {
  /** stable identifier, also the Prometheus label */
  id: string;
  name: string;
  level: Level;
  /** what was measured */
  value: string;
  /** the rule that decided the level, in words */
  threshold: string;
}

export const THRESHOLDS = {
  lastBlockWarnSeconds: 30,
  lastBlockFailSeconds: 120,
  behindWarnBlocks: 20,
  behindFailBlocks: 600,
  missRateWarn: 0.1,
  missRateFail: 0.2,
  peersWarn: 3,
  deployFreeWarnBytes: 250e9,
  deployFreeFailBytes: 50e9,
  hfFreeWarnBytes: 50e9,
} as const;

const GB = 1e9;
const check = (id: string, name: string, level: Level, value: string, threshold: string): Check => ({ id, name, level, value, threshold });

const containerChecks = (d: HostStatusData): Check[] => {
  // a service whose compose profile is off (proxy-ssl without COMPOSE_PROFILES=ssl) is not meant to run
  const expected = d.probe.compose.flatMap((c) =>
    c.services.filter((service) => serviceStarts(c.profiles[service], d.probe.env.COMPOSE_PROFILES)).map((service) => ({ file: c.file, service })),
  );
  if (expected.length === 0)
    return [check('containers', 'containers', 'FAIL', 'no compose file in the deploy dir', 'rendered compose files must exist (run the setup playbook)')];
  const down = expected.filter((e) => d.probe.containers.find((c) => c.file === e.file && c.service === e.service)?.state !== 'running');
  const value = down.length === 0 ? `${expected.length}/${expected.length} running` : `not running: ${down.map((e) => e.service).join(', ')}`;
  return [
    check(
      'containers',
      'containers',
      down.length ? 'FAIL' : 'OK',
      value,
      'every service of the compose files running (those of inactive profiles excepted) → else FAIL',
    ),
  ];
};

const chainChecks = (d: HostStatusData): Check[] => {
  const c = d.chain;
  if (!c) return [];
  if ('error' in c) return [check('chain_rpc', 'chain RPC', 'FAIL', c.error, 'the node answers /status on its RPC port')];
  const age = (d.at - Date.parse(c.latestBlockTime)) / 1000;
  const t = THRESHOLDS;
  const out = [
    check('block_height', 'block height', 'OK', String(c.height), 'informational'),
    check(
      'last_block_age',
      'last block age',
      Number.isNaN(age) || age > t.lastBlockFailSeconds ? 'FAIL' : age > t.lastBlockWarnSeconds ? 'WARN' : 'OK',
      Number.isNaN(age) ? 'unknown' : `${Math.max(0, Math.round(age))} s`,
      `older than ${t.lastBlockWarnSeconds} s → WARN, older than ${t.lastBlockFailSeconds} s → FAIL`,
    ),
    check('catching_up', 'catching up', c.catchingUp ? 'WARN' : 'OK', String(c.catchingUp), 'catching_up true → WARN (still syncing)'),
  ];
  if (d.networkHeight === null) {
    out.push(check('blocks_behind', 'blocks behind', 'WARN', 'seed RPC not reachable', 'compared with the seed node (SEED_NODE_RPC_URL)'));
  } else {
    const behind = Math.max(0, d.networkHeight - c.height);
    out.push(
      check(
        'blocks_behind',
        'blocks behind',
        behind > t.behindFailBlocks ? 'FAIL' : behind > t.behindWarnBlocks ? 'WARN' : 'OK',
        `${behind} (seed at ${d.networkHeight})`,
        `more than ${t.behindWarnBlocks} blocks behind the seed → WARN, more than ${t.behindFailBlocks} → FAIL`,
      ),
    );
  }
  const peers = d.peers;
  out.push(
    check(
      'peers',
      'peers',
      peers === null || peers === 0 ? 'FAIL' : peers < t.peersWarn ? 'WARN' : 'OK',
      peers === null ? 'unknown (/net_info failed)' : String(peers),
      `0 peers → FAIL, fewer than ${t.peersWarn} → WARN`,
    ),
  );
  return out;
};

const epochChecks = (d: HostStatusData): Check[] => {
  if (!d.network) return [];
  const e = d.epoch;
  if (!e) return [check('epoch', 'epoch', 'WARN', 'public API /v1/epochs/latest did not answer', 'the api answers through the proxy')];
  const toPoc = Math.max(0, e.nextPocStart - e.blockHeight);
  const inPoc = e.phase !== 'Inference';
  const now = inPoc ? 'PoC running' : e.confirmationPoc ? `Confirmation PoC running, ${toPoc} blocks to next PoC` : `${toPoc} blocks to next PoC`;
  return [check('epoch', 'epoch', 'OK', `${e.index}, phase ${e.phase}, ${now}`, 'informational')];
};

const participantChecks = (d: HostStatusData): Check[] => {
  const p = d.participant;
  if (!d.network) return [];
  if (!p) return [check('participant', 'participant', 'WARN', 'ACCOUNT_PUBKEY unknown', 'config.env names the account key')];
  const t = THRESHOLDS;
  const out = [
    check(
      'weight',
      'participant weight',
      p.weight ? 'OK' : 'WARN',
      p.weight === null ? `not in the current epoch (${p.address})` : String(p.weight),
      'not in the active set or weight 0 → WARN (no rewards this epoch)',
    ),
  ];
  const why = (query: string) => p.queryErrors.find((e) => e.includes(query)) ?? 'unknown';
  // jailed: the account's own validator in `inferenced query staking delegator-validators` (run in the node container)
  out.push(
    check(
      'jailed',
      'jailed',
      p.jailed ? 'FAIL' : p.jailed === null ? 'WARN' : 'OK',
      p.jailed === null ? why('delegator-validators') : String(p.jailed),
      'jailed → FAIL (unjail with the cold key); unknown → WARN',
    ),
  );
  // miss rate: current_epoch_stats of `inferenced query inference show-participant`, missed / (served + missed)
  const rule = `≥ ${t.missRateWarn * 100} % → WARN, ≥ ${t.missRateFail * 100} % → FAIL (risk of jailing)`;
  const total = (p.inferenceCount ?? 0) + (p.missedRequests ?? 0);
  if (p.missedRequests === null) {
    out.push(check('miss_rate', 'miss rate', 'WARN', why('show-participant'), rule));
  } else if (total === 0) {
    out.push(check('miss_rate', 'miss rate', 'OK', 'no requests this epoch', rule));
  } else {
    const rate = p.missedRequests / total;
    out.push(
      check(
        'miss_rate',
        'miss rate',
        rate >= t.missRateFail ? 'FAIL' : rate >= t.missRateWarn ? 'WARN' : 'OK',
        `${(rate * 100).toFixed(1)} % (${p.missedRequests}/${total})`,
        rule,
      ),
    );
  }
  return out;
};

const mlNodeChecks = (d: HostStatusData): Check[] => {
  const nodes = d.mlNodes;
  if (!nodes) return [];
  if ('error' in nodes) return [check('ml_nodes', 'ML nodes', 'FAIL', nodes.error, 'the admin API lists the ML nodes')];
  if (nodes.length === 0) return [check('ml_nodes', 'ML nodes', 'FAIL', 'none registered', 'at least one ML node registered')];
  return nodes.map((n) => {
    const level = n.status === 'FAILED' ? 'FAIL' : !n.enabled || n.status === 'UNKNOWN' || n.status === 'STOPPED' ? 'WARN' : 'OK';
    const slots = n.timeslots.length ? n.timeslots.map((s) => (s ? '1' : '0')).join('') : '-';
    const value = `${n.status}${n.enabled ? '' : ' (disabled)'}, model ${n.model || '-'}, PoC weight ${n.pocWeight}, timeslots ${slots}${n.failure ? `: ${n.failure}` : ''}`;
    return check(`ml_node:${n.id}`, `ML node ${n.id}`, level, value, 'FAILED → FAIL; disabled, STOPPED or UNKNOWN → WARN');
  });
};

const gpuChecks = (d: HostStatusData): Check[] => {
  if (!d.ml) return [];
  const g = d.probe.gpus;
  if (!g) return [check('gpus', 'GPUs', 'FAIL', d.probe.gpuError ?? 'nvidia-smi failed', 'nvidia-smi answers the GPU query')];
  const value = g.map((x) => `#${x.index} ${x.memoryUsedMiB}/${x.memoryTotalMiB} MiB ${x.utilizationPct} %`).join(', ');
  return [check('gpus', 'GPUs', g.length ? 'OK' : 'FAIL', value || 'no GPU', 'at least one GPU visible to nvidia-smi')];
};

const diskChecks = (d: HostStatusData): Check[] => {
  const disks = d.gpuFacts?.disks;
  if (!disks) return [];
  const t = THRESHOLDS;
  const out: Check[] = [];
  if (disks.deploy_dir) {
    const free = disks.deploy_dir.available_bytes;
    out.push(
      check(
        'disk_deploy',
        'disk free (deploy dir)',
        free < t.deployFreeFailBytes ? 'FAIL' : free < t.deployFreeWarnBytes ? 'WARN' : 'OK',
        `${(free / GB).toFixed(0)} GB`,
        `under ${t.deployFreeWarnBytes / GB} GB → WARN (an upgrade backs data/ up), under ${t.deployFreeFailBytes / GB} GB → FAIL`,
      ),
    );
  }
  if (disks.hf_home) {
    const free = disks.hf_home.available_bytes;
    out.push(
      check(
        'disk_hf_home',
        'disk free (HF_HOME)',
        free < t.hfFreeWarnBytes ? 'WARN' : 'OK',
        `${(free / GB).toFixed(0)} GB`,
        `under ${t.hfFreeWarnBytes / GB} GB → WARN (model weights)`,
      ),
    );
  }
  return out;
};

const LOOPBACK = /^(127\.|::1$|localhost$)/;

const portChecks = (d: HostStatusData, privateIp: string | undefined): Check[] => {
  const internal = new Set(
    d.probe.compose
      .flatMap((c) => c.ports)
      .filter((p) => !isPublicPort(p.service, String(p.containerPort)))
      .map((p) => p.hostPort),
  );
  if (!d.probe.listening)
    return [check('internal_ports', 'internal ports', 'WARN', 'ss -ltnH failed', 'internal ports listen on loopback or the private address only')];
  const exposed = d.probe.listening.filter((s) => internal.has(s.port) && !LOOPBACK.test(s.address) && s.address !== privateIp);
  const value = exposed.length ? `exposed: ${exposed.map((s) => `${s.address}:${s.port}`).join(', ')}` : `${internal.size} internal ports private`;
  return [check('internal_ports', 'internal ports', exposed.length ? 'FAIL' : 'OK', value, 'an admin/RPC/ML port listening on a public address → FAIL')];
};

const firewallCheck = (d: HostStatusData): Check => {
  const rules = d.probe.dockerUserRules;
  return check(
    'docker_user',
    'DOCKER-USER rules',
    rules?.length ? 'OK' : 'WARN',
    rules === null ? 'chain missing' : `${rules.length} rules`,
    'no DOCKER-USER rules → WARN (published ports bypass the host firewall)',
  );
};

const configEnvCheck = (d: HostStatusData): Check[] => {
  if (!d.network) return [];
  const mode = d.probe.configEnvMode;
  return [check('config_env_mode', 'config.env mode', mode === '600' ? 'OK' : 'FAIL', mode ?? 'missing', 'holds KEYRING_PASSWORD: anything but 0600 → FAIL')];
};

const driverChecks = (d: HostStatusData): Check[] => {
  if (!d.gpuFacts) return [];
  const problems = checkDriverConsistency(d.gpuFacts);
  const notHeld = problems.filter((p) => p.code === 'driver-not-held');
  const other = problems.filter((p) => p.code !== 'driver-not-held');
  return [
    check(
      'driver',
      'driver versions',
      other.length ? 'FAIL' : 'OK',
      other.length ? other.map((p) => `${p.message} (fix: ${p.fix})`).join('; ') : 'consistent',
      'kernel module, user space and Fabric Manager agree → else FAIL',
    ),
    check(
      'driver_held',
      'driver held',
      notHeld.length ? 'WARN' : 'OK',
      notHeld.length ? notHeld.map((p) => `${p.message} (fix: ${p.fix})`).join('; ') : 'held',
      'driver packages not on apt hold → WARN (unattended upgrades can split the versions)',
    ),
  ];
};

/** Judge one host's data: every check with its level and its threshold in words. */
export const statusChecks = (d: HostStatusData, opts: { privateIp?: string } = {}): Check[] => [
  ...containerChecks(d),
  ...chainChecks(d),
  ...epochChecks(d),
  ...participantChecks(d),
  ...mlNodeChecks(d),
  ...participationChecks(d.participation),
  ...gpuChecks(d),
  ...diskChecks(d),
  ...portChecks(d, opts.privateIp),
  firewallCheck(d),
  ...configEnvCheck(d),
  ...driverChecks(d),
];

export const worstLevel = (checks: readonly Check[]): Level =>
  checks.some((c) => c.level === 'FAIL') ? 'FAIL' : checks.some((c) => c.level === 'WARN') ? 'WARN' : 'OK';
