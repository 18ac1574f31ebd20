import { isIP } from 'node:net';
import type { StackDifference } from './stack-difference.js';

/**
 * The one place where nop's Gonka stack departs from upstream's deploy/join on purpose. nop's templates follow
 * upstream's files; every difference `nop upstream diff` finds must be explained by one of these policies, or it
 * is drift (upstream moved, or nop is wrong).
 */
export interface HardeningPolicy {
  /** the name templates, docs and `nop upstream diff` use */
  id: string;
  /** what nop does differently and why */
  why: string;
  explains: (d: StackDifference) => boolean;
}

/** Container ports that no host interface ever publishes publicly: node-manager gRPC, versiond, edge-api, CometBFT metrics, NATS, Postgres. */
export const NEVER_PUBLIC_PORTS = [9400, 8080, 18080, 26660, 4222, 5432] as const;

/** The only container ports nop publishes on every interface: CometBFT p2p, the proxy (HTTP, HTTPS), and geth p2p while the bridge runs. */
export const PUBLIC_PORTS: Readonly<Record<string, readonly number[]>> = { node: [26656], proxy: [80, 443], bridge: [30303] };

/** A published port as `HOST_IP:HOST_PORT`; an empty host address (every interface) is written 0.0.0.0. */
export const isPublicBinding = (binding: string): boolean => {
  const ip = binding.slice(0, binding.lastIndexOf(':'));
  return ip === '' || ip === '0.0.0.0' || ip === '::' || ip === '[::]';
};

/** Whether a container port (`80/tcp`) of this service is one nop publishes publicly. */
export const isPublicPort = (service: string | undefined, key: string): boolean => (PUBLIC_PORTS[service ?? ''] ?? []).includes(Number.parseInt(key, 10));

const PRIVATE_V4 = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^127\./];
const isPrivateAddress = (host: string): boolean => isIP(host) === 4 && PRIVATE_V4.some((re) => re.test(host));

const isMlNode = (service: string | undefined): boolean => service !== undefined && /^mlnode-/.test(service);
const words = (s: string | undefined): Set<string> => new Set((s ?? '').split(/\s+/).filter(Boolean));

const env = (d: StackDifference, service: string, keys: RegExp): boolean => d.aspect === 'env' && d.service === service && keys.test(d.key);

export const HARDENING_POLICIES: readonly HardeningPolicy[] = [
  {
    id: 'local-chain-rpc',
    why: "the node's RPC (26657) is published on 127.0.0.1 only, for nop's sync and health checks on the host; upstream publishes none",
    explains: (d) => d.aspect === 'port' && d.service === 'node' && d.key === '26657/tcp' && d.nop !== undefined && !isPublicBinding(d.nop),
  },
  {
    id: 'internal-ports-private',
    why: 'Docker publishes ports past the host firewall: internal ports (api 9100, the ML nginx) are published on 127.0.0.1, or on the private address when the ML nodes are other servers, never on every interface',
    explains: (d) => d.aspect === 'port' && !isPublicPort(d.service, d.key) && (d.nop === undefined || !isPublicBinding(d.nop)),
  },
  {
    id: 'split-topology',
    why: 'with the ML nodes on other servers, they post PoC results to the network node at its private address (DAPI_API__POC_CALLBACK_URL)',
    explains: (d) =>
      (d.aspect === 'variable' || d.aspect === 'env') &&
      /POC_CALLBACK_URL$/.test(d.key) &&
      isPrivateAddress(/^https?:\/\/([^:/]+)/.exec(d.nop ?? '')?.[1] ?? ''),
  },
  {
    id: 'chain-routes-off-proxy',
    why: "the chain's own APIs (/chain-api/, /chain-rpc/, /chain-grpc/) stay off the public proxy whatever config.env says; upstream only defaults them off",
    explains: (d) => env(d, 'proxy', /^DISABLE_CHAIN_(API|RPC|GRPC)$/) && d.nop === 'true',
  },
  {
    id: 'blocked-routes',
    why: "the routes the proxy refuses publicly come from nop's network data (GONKA_API_BLOCKED_ROUTES in config.env), at least upstream's",
    explains: (d) =>
      d.key === 'GONKA_API_BLOCKED_ROUTES' &&
      (d.aspect === 'variable' || (d.aspect === 'env' && d.service === 'proxy' && [...words(d.upstream)].every((w) => words(d.nop).has(w)))),
  },
  {
    id: 'genesis-from-seed',
    why: "nop deploys without a clone of the gonka repository: the node's init downloads genesis.json from SEED_NODE_RPC_URL instead of mounting ../../genesis/genesis.json",
    explains: (d) => d.aspect === 'volume' && d.service === 'node' && d.key === '/root/genesis.json' && d.nop === undefined,
  },
  {
    id: 'chain-id-pinned',
    why: 'the node is told the chain it joins (CHAIN_ID from the network data)',
    explains: (d) => env(d, 'node', /^CHAIN_ID$/) && d.upstream === undefined,
  },
  {
    id: 'state-pruning',
    why: 'application state is pruned (custom keep-recent/interval) so application.db stays small, as the operators FAQ advises',
    explains: (d) => env(d, 'node', /^APP_pruning/) && d.upstream === undefined,
  },
  {
    id: 'weights-predownloaded',
    why: 'nop downloads and checks the model weights before an ML node starts, so the ML node runs offline (HF_HUB_OFFLINE) and never fetches during PoC',
    explains: (d) => d.aspect === 'env' && isMlNode(d.service) && d.key === 'HF_HUB_OFFLINE',
  },
  {
    id: 'ml-node-per-gpu-group',
    why: 'one ML node container per vLLM instance (mlnode-1…N), each on its own GPUs, behind one nginx; upstream runs a single mlnode-308 on all GPUs',
    explains: (d) => d.aspect === 'service' && (isMlNode(d.service) || d.key === 'mlnode-308'),
  },
  {
    id: 'mlnode-image-per-model',
    why: "the ML node image follows the served model and the GPUs (gpu-detect's choice); upstream's compose pins the main branch's image",
    explains: (d) => d.aspect === 'image' && isMlNode(d.service) && d.key === 'tag',
  },
  {
    id: 'mlnode-env-per-layout',
    why: "the ML node's environment is the chosen layout's (upstream's per-model, per-GPU profile in data/model-catalog.yml): its PoC batch size, its VLLM_*/NCCL_* settings (NCCL inside VMs on NVSwitch); the attention backend is the layout's vLLM argument, not upstream's main-branch VLLM_ATTENTION_BACKEND",
    explains: (d) =>
      d.aspect === 'env' &&
      isMlNode(d.service) &&
      ((d.key === 'VLLM_ATTENTION_BACKEND' && d.nop === undefined) ||
        d.key === 'POC_BATCH_SIZE_DEFAULT' ||
        (d.upstream === undefined && /^(NCCL|VLLM)_/.test(d.key))),
  },
  {
    id: 'no-observability-overlay',
    why: "upstream's template sends OTel traces to jaeger:4317 and sets Grafana/Jaeger credentials, which only its optional observability overlay uses; nop does not deploy the overlay",
    explains: (d) =>
      ((d.aspect === 'variable' || d.aspect === 'env') && /^(JAEGER_|GRAFANA_|OTEL_ENDPOINT$)/.test(d.key) && (d.nop === undefined || d.nop === '')) ||
      ((d.aspect === 'variable' || d.aspect === 'env') && /(^|_)OTEL_ENABLED$/.test(d.key) && d.nop === 'false'),
  },
  {
    id: 'bridge-optional',
    why: 'the Ethereum bridge (geth + prysm, hundreds of GB) runs unless the inventory sets gonka_bridge: false; its geth p2p port 30303 is public only while it runs',
    explains: (d) => d.service === 'bridge' && d.aspect === 'service' && d.nop === undefined,
  },
  {
    id: 'ssl-with-domain',
    why: 'proxy-ssl (compose profile ssl) is turned on in config.env only when the operator gives a domain (gonka_ssl_domain), with its ACME account and DNS provider',
    explains: (d) =>
      (d.aspect === 'variable' && /^(COMPOSE_PROFILES|CERT_ISSUER_DOMAIN|ACME_|AWS_|CF_|GCE_|AZURE_|DO_|HETZNER_)/.test(d.key)) ||
      (d.aspect === 'env' &&
        (d.service === 'proxy' || d.service === 'proxy-ssl') &&
        /^(CERT_ISSUER_DOMAIN|ACME_|AWS_|CF_|GCE_|AZURE_|DO_|HETZNER_)/.test(d.key)),
  },
];

/** The policy that explains this difference, or undefined: drift. */
export const policyFor = (d: StackDifference): HardeningPolicy | undefined => HARDENING_POLICIES.find((p) => p.explains(d));

/**
 * Not hardening: a difference that exists because the inventory sets a value on purpose (its own seeds, ports,
 * weights directory, image tags, network). `nop upstream diff` finds these by rendering the host again without
 * the variables below and seeing which values move.
 */
export const INVENTORY_SETTING = {
  id: 'inventory',
  why: 'a value the inventory sets on purpose (gonka_network, gonka_network_overrides, gonka_versions_overrides, hf_home, ports, pruning, PoC batch size)',
} as const;

/** The inventory variables whose values are the operator's choice, not nop's policy. */
export const INVENTORY_SETTING_VARIABLES = [
  'gonka_network',
  'gonka_network_overrides',
  'gonka_versions_overrides',
  'hf_home',
  'gonka_api_port',
  'gonka_api_ssl_port',
  'gonka_p2p_port',
  'gonka_mlnode_port',
  'gonka_inference_port',
  'gonka_tmkms_port',
  'gonka_bridge_p2p_port',
  'gonka_pruning_keep_recent',
  'gonka_pruning_interval',
  'gonka_poc_batch_size',
] as const;
