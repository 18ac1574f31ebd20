import { splitSections } from '../gpu/facts.js';
import { shellJoin } from '../transport/shell-quote.js';
import type { ExecOptions, Transport } from '../transport/transport.js';
import { composeProfiles, composeServices, publishedPorts, type PublishedPort } from './deploy-endpoints.js';

export const COMPOSE_FILES = ['docker-compose.yml', 'docker-compose.mlnode.yml'] as const;

// Only these config.env values leave the host: KEYRING_PASSWORD and the like never do.
const ENV_KEYS = [
  'COMPOSE_PROFILES',
  'API_PORT',
  'PORT',
  'INFERENCE_PORT',
  'HF_HOME',
  'ACCOUNT_PUBKEY',
  'PUBLIC_URL',
  'SEED_NODE_RPC_URL',
  'SEED_API_URL',
  'KEY_NAME',
];

export interface ContainerState {
  file: string;
  service: string;
  state: string;
  status: string;
}

export interface ListeningSocket {
  address: string;
  port: number;
}

export interface GpuUsage {
  index: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  utilizationPct: number;
}

export interface StatusProbe {
  deployDir: string;
  env: Record<string, string>;
  /** octal mode of config.env, null when it does not exist */
  configEnvMode: string | null;
  /** each compose file's services, the compose profiles of those that have any, and the ports they publish */
  compose: { file: string; services: string[]; profiles: Record<string, string[]>; ports: PublishedPort[] }[];
  containers: ContainerState[];
  listening: ListeningSocket[] | null;
  /** rules of the DOCKER-USER chain, null when the chain does not exist or iptables cannot be read */
  dockerUserRules: string[] | null;
  gpus: GpuUsage[] | null;
  gpuError?: string;
}

const composePs = (file: string) =>
  `if [ -f ${shellJoin([file])} ]; then (set -a; [ -f config.env ] && . ./config.env; docker compose -f ${shellJoin([file])} ps --format json); fi`;

/** One script gathering everything `nop status` reads on a host, each probe framed so one failure hides nothing. */
export const statusProbeScript = (deployDir: string): string => `
section() { name=$1; shift; printf '@@nop-begin %s\\n' "$name"; out=$("$@" 2>&1); rc=$?; [ -n "$out" ] && printf '%s\\n' "$out"; printf '@@nop-end %s %s\\n' "$name" "$rc"; }
cd ${shellJoin([deployDir])} 2>/dev/null || { printf '@@nop-begin nodir\\n@@nop-end nodir 1\\n'; exit 0; }
section env grep -E '^(export )?(${ENV_KEYS.join('|')})=' config.env
section envmode stat -c %a config.env
${COMPOSE_FILES.map((f, i) => `section compose${i} cat ${f}\nsection ps${i} sh -c ${shellJoin([composePs(f)])}`).join('\n')}
section ss ss -ltnH
section dockeruser iptables -S DOCKER-USER
section gpu nvidia-smi --query-gpu=index,memory.used,memory.total,utilization.gpu --format=csv,noheader,nounits
`;

const unquote = (v: string): string => v.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');

const parseEnv = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^(?:export )?([A-Z_0-9]+)=(.*)$/.exec(l.trim()))
      .filter((m) => m !== null)
      .map((m) => [m[1], unquote(m[2])]),
  );

const parseContainers = (file: string, text: string): ContainerState[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      const entries = (l.startsWith('[') ? JSON.parse(l) : [JSON.parse(l)]) as { Service?: string; State?: string; Status?: string }[];
      return entries.map((e) => ({ file, service: e.Service ?? '', state: e.State ?? '', status: e.Status ?? '' }));
    });

// `ss -ltnH`: State Recv-Q Send-Q Local:Port Peer:Port; IPv6 addresses come bracketed
const parseSs = (text: string): ListeningSocket[] =>
  text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[3])
    .filter((a): a is string => Boolean(a))
    .map((local) => {
      const at = local.lastIndexOf(':');
      return {
        address: local
          .slice(0, at)
          .replace(/^\[|\]$/g, '')
          .replace(/%.*$/, ''),
        port: Number(local.slice(at + 1)),
      };
    });

const parseGpus = (text: string): GpuUsage[] =>
  text
    .split('\n')
    .map((l) => l.split(',').map((c) => c.trim()))
    .filter((c) => c.length === 4)
    .map(([index, used, total, util]) => ({
      index: Number(index),
      memoryUsedMiB: Number(used),
      memoryTotalMiB: Number(total),
      utilizationPct: Number(util),
    }));

export const parseStatusProbe = (deployDir: string, stdout: string): StatusProbe => {
  const s = splitSections(stdout);
  const ok = (name: string) => (s.get(name)?.rc === 0 ? s.get(name)?.out : undefined);
  const compose = COMPOSE_FILES.flatMap((file, i) => {
    const text = ok(`compose${i}`);
    return text === undefined ? [] : [{ file, services: composeServices(text), profiles: composeProfiles(text), ports: publishedPorts(text) }];
  });
  const gpu = s.get('gpu');
  return {
    deployDir,
    env: parseEnv(ok('env') ?? ''),
    configEnvMode: ok('envmode')?.trim() ?? null,
    compose,
    containers: COMPOSE_FILES.flatMap((file, i) => parseContainers(file, ok(`ps${i}`) ?? '')),
    listening: s.get('ss')?.rc === 0 ? parseSs(s.get('ss')?.out ?? '') : null,
    dockerUserRules: s.get('dockeruser')?.rc === 0 ? (s.get('dockeruser')?.out ?? '').split('\n').filter((l) => l.startsWith('-A ')) : null,
    gpus: gpu?.rc === 0 ? parseGpus(gpu.out) : null,
    ...(gpu && gpu.rc !== 0 ? { gpuError: gpu.out.trim().split('\n')[0] } : {}),
  };
};

export const runStatusProbe = async (transport: Transport, deployDir: string, exec: ExecOptions = {}): Promise<StatusProbe> => {
  const res = await transport.exec(statusProbeScript(deployDir), exec);
  if (!res.stdout.includes('@@nop-begin') || res.stdout.includes('@@nop-begin nodir')) {
    throw new Error(`deploy directory ${deployDir} not found on the host${res.stderr ? `: ${res.stderr.trim()}` : ''}`);
  }
  return parseStatusProbe(deployDir, res.stdout);
};
