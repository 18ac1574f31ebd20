import { z } from 'zod';
import { DeploymentVariableError } from './deployment-variable-error.js';
import type { Deployment, MlNodeService, NodeConfigEntry } from './deployment.js';
import { notPublicReason } from '../net/address-scope.js';
import type { ConfigVars } from './config-vars.js';
import { ListenIpSchema } from './config-vars.js';
import type { Network } from './network.js';
import { RecommendationSchema, type RecommendationInput } from './recommendation-schema.js';
import { isFullServer, topologyOf, ML_GROUP, type Topology } from './topology.js';
import { imageOf, type Versions } from './versions.js';
import { vllmArgs } from './vllm-args.js';
import { hasControlChar } from '../template/file-quoting.js';
import { HttpUrlSchema } from './value-schemas.js';

const LOOPBACK = '127.0.0.1';
// container-side ports of the nginx in front of the ML nodes; instance i listens on BASE + i
const NGINX_POC_BASE = 8080;
const NGINX_INFERENCE_BASE = 5000;

export interface DeploymentInput {
  vars: ConfigVars;
  network: Network;
  versions: Versions;
  /** the keyring password, from keyring_password or keyring_password_file */
  keyringPassword: string | undefined;
  /** another inventory host's variable (hostvars[host][name]) */
  hostVar: (host: string, name: string) => unknown;
  /** hosts in ml_nodes */
  mlHosts: string[];
}

const need = <T>(name: string, value: T | undefined, why: string): T => {
  if (value === undefined || value === null || value === '') throw new DeploymentVariableError(name, `is required ${why}`);
  return value;
};

const checked = <S extends z.ZodType>(name: string, schema: S, value: unknown): z.output<S> => {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const sub = issue.path.length ? `.${issue.path.join('.')}` : '';
  throw new DeploymentVariableError(`${name}${sub}`, issue.message);
};

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9-]+/g, '-');

const hardwareOf = (rec: RecommendationInput, gpuIds: number[]) => {
  const counts = new Map<string, number>();
  for (const g of rec.gpus.filter((x) => gpuIds.includes(x.index))) counts.set(g.name, (counts.get(g.name) ?? 0) + 1);
  return [...counts].map(([type, count]) => ({ type, count }));
};

// upstream's compose default (docker-compose.mlnode.yml: POC_BATCH_SIZE_DEFAULT=${POC_BATCH_SIZE_DEFAULT:-32})
const UPSTREAM_POC_BATCH_SIZE = 32;

/**
 * An ML node's environment: upstream's compose (HF_HOME), nop's offline weights, the PoC batch size (the operator's,
 * else the layout's, else upstream's 32) and the rest of the catalog layout's env (NCCL settings inside VMs, …). The
 * legacy sizing forces vLLM's attention backend by env as upstream's spring-2026 compose did; a catalog layout sets
 * it (or not) in its vLLM args, exactly as upstream's per-model profile.
 */
const mlNodeEnv = (rec: RecommendationInput, pocBatchSize: number | undefined): Record<string, string> => {
  const { POC_BATCH_SIZE_DEFAULT: layoutBatch, ...layoutEnv } = rec.env ?? {};
  return {
    HF_HOME: '/root/.cache',
    HF_HUB_OFFLINE: 'true',
    ...(rec.vllm_args === undefined ? { VLLM_ATTENTION_BACKEND: rec.attention_backend } : {}),
    POC_BATCH_SIZE_DEFAULT: String(pocBatchSize ?? layoutBatch ?? UPSTREAM_POC_BATCH_SIZE),
    ...layoutEnv,
  };
};

const mlServices = (rec: RecommendationInput, v: ConfigVars): MlNodeService[] =>
  rec.instances.map((inst, i) => ({
    service: `mlnode-${i + 1}`,
    image: rec.image,
    device_ids: inst.gpu_ids.map(String),
    env: mlNodeEnv(rec, v.gonka_poc_batch_size),
    nginx_poc_port: NGINX_POC_BASE + i,
    nginx_inference_port: NGINX_INFERENCE_BASE + i,
    host_poc_port: v.gonka_mlnode_port + i,
    host_inference_port: v.gonka_inference_port + i,
  }));

/** node-config entries of one ML host, as the api reaches it (`inference` in Docker's network, or host:port). */
const nodeEntries = (host: string, rec: RecommendationInput, reach: { host: string; poc: number; inference: number }): NodeConfigEntry[] =>
  rec.instances.map((inst, i) => ({
    id: `${slug(host)}-${inst.id}`,
    host: reach.host,
    inference_port: reach.inference + i,
    poc_port: reach.poc + i,
    max_concurrent: rec.max_concurrent,
    model: rec.model,
    args: vllmArgs(rec, inst.tensor_parallel),
    hardware: hardwareOf(rec, inst.gpu_ids),
  }));

/**
 * The node-config entries of ML-only server HOST (its variables through `hostVar`), as its network node's api
 * reaches it: its private address and published ports. The network node's node-config and the ML server's own
 * admin API entries both come from here, so they agree.
 */
export const mlServerEntries = (host: string, hostVar: (name: string) => unknown): NodeConfigEntry[] => {
  const rec = checked(`hostvars.${host}.gpu_recommendation`, RecommendationSchema, hostVar('gpu_recommendation'));
  const ip = checked(`hostvars.${host}.private_ip`, ListenIpSchema, hostVar('private_ip'));
  const poc = checked(`hostvars.${host}.gonka_mlnode_port`, z.coerce.number().int().min(1).max(65535), hostVar('gonka_mlnode_port') ?? 8080);
  const inf = checked(`hostvars.${host}.gonka_inference_port`, z.coerce.number().int().min(1).max(65535), hostVar('gonka_inference_port') ?? 5050);
  return nodeEntries(host, rec, { host: ip, poc, inference: inf });
};

const remoteEntries = (input: DeploymentInput): NodeConfigEntry[] => {
  const me = input.vars.inventory_hostname;
  return input.mlHosts.filter((h) => h !== me && input.hostVar(h, 'network_node') === me).flatMap((h) => mlServerEntries(h, (name) => input.hostVar(h, name)));
};

const uniqueIds = (entries: NodeConfigEntry[]): NodeConfigEntry[] => {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.id)) throw new DeploymentVariableError('gpu_recommendation.instances', `node-config id '${e.id}' is not unique`);
    seen.add(e.id);
  }
  return entries;
};

const pocCallbackHost = (input: DeploymentInput, t: Topology): string => {
  if (isFullServer(t)) return 'api';
  return need('private_ip', input.vars.private_ip, 'on a network node whose ML nodes are other servers (ML nodes post PoC batches to it)');
};

// the address other participants reach a network node at: given, and public unless said otherwise
const publicHostOf = (v: ConfigVars): string => {
  const publicHost = need('public_ip', v.public_ip, `on a network node (${v.inventory_hostname} is in network_nodes)`);
  const unreachable = v.allow_private_public_ip ? undefined : notPublicReason(publicHost);
  if (unreachable)
    throw new DeploymentVariableError(
      'public_ip',
      `${unreachable}, so other participants cannot reach PUBLIC_URL or the p2p address: set the server's public address, or allow_private_public_ip: true for a private test network or the simulator`,
    );
  return publicHost;
};

const networkEnv = (input: DeploymentInput, t: Topology): Record<string, string> => {
  const v = input.vars;
  const n = input.network;
  const publicHost = publicHostOf(v);
  need('account_pubkey', v.account_pubkey, 'on a network node: the base64 public key of the cold account (inferenced keys show COLD --pubkey)');
  return {
    KEY_NAME: v.key_name ?? `${slug(v.inventory_hostname)}-warm`,
    KEYRING_BACKEND: 'file',
    API_PORT: String(v.gonka_api_port),
    PUBLIC_URL: `http://${publicHost}:${v.gonka_api_port}`,
    P2P_EXTERNAL_ADDRESS: `tcp://${publicHost}:${v.gonka_p2p_port}`,
    ACCOUNT_PUBKEY: v.account_pubkey!,
    NODE_CONFIG: './node-config.json',
    HF_HOME: v.hf_home,
    SEED_API_URL: n.seed_api_url,
    SEED_NODE_RPC_URL: n.seed_node_rpc_url,
    SEED_NODE_P2P_URL: n.seed_node_p2p_url,
    DAPI_API__POC_CALLBACK_URL: `http://${pocCallbackHost(input, t)}:9100`,
    DAPI_CHAIN_NODE__URL: 'http://node:26657',
    DAPI_CHAIN_NODE__P2P_URL: 'http://node:26656',
    RPC_SERVER_URL_1: n.rpc_servers[0],
    RPC_SERVER_URL_2: n.rpc_servers[1],
    PORT: String(v.gonka_mlnode_port),
    INFERENCE_PORT: String(v.gonka_inference_port),
    TMKMS_PORT: String(v.gonka_tmkms_port),
    TRUSTED_BLOCK_PERIOD: String(n.trusted_block_period),
    GONKA_API_BLOCKED_ROUTES: n.blocked_routes.join(' '),
    API_SSL_PORT: String(v.gonka_api_ssl_port),
    BEACON_STATE_URL: n.beacon_state_url,
    DAPI_CHAIN_NODE__MIN_GAS_PRICE_NGONKA: '0',
    QUERY_GAS_LIMIT: '10000000',
    NODE_INSTRUMENTATION_PROMETHEUS: 'true',
    // policy no-observability-overlay: upstream's template points OTel at jaeger:4317, which only its observability overlay runs
    DAPI_OTEL_ENABLED: 'false',
    DEVSHARD_OTEL_ENABLED: 'false',
    ...sslEnv(v),
  };
};

// policy ssl-with-domain: proxy-ssl runs (COMPOSE_PROFILES=ssl, read by every `docker compose` after config.env) only for a domain
const sslEnv = (v: ConfigVars): Record<string, string> => {
  if (v.gonka_ssl_domain === undefined) return {};
  need('gonka_acme_email', v.gonka_acme_email, 'with gonka_ssl_domain: the ACME account of the certificates');
  need('gonka_acme_dns_provider', v.gonka_acme_dns_provider, 'with gonka_ssl_domain: proxy-ssl proves the domain through DNS (DNS-01)');
  return {
    COMPOSE_PROFILES: 'ssl',
    CERT_ISSUER_DOMAIN: v.gonka_ssl_domain,
    ACME_ACCOUNT_EMAIL: v.gonka_acme_email!,
    ACME_DNS_PROVIDER: v.gonka_acme_dns_provider!,
  };
};

// the credentials are secrets: config.env reads them from the role variable, never from the published `gonka` fact
const checkCredentials = (v: ConfigVars): void => {
  const broken = Object.entries(v.gonka_acme_credentials).find(([, value]) => value !== undefined && hasControlChar(value));
  if (broken) throw new DeploymentVariableError(`gonka_acme_credentials.${broken[0]}`, 'holds a newline or another control character');
};

// the rendered URLs are checked as the strings the containers will read
const EnvSchema = z.object({
  PUBLIC_URL: HttpUrlSchema,
  BEACON_STATE_URL: HttpUrlSchema,
  P2P_EXTERNAL_ADDRESS: z.string().regex(/^tcp:\/\/[A-Za-z0-9.-]+:\d+$/),
  SEED_API_URL: HttpUrlSchema,
  SEED_NODE_RPC_URL: HttpUrlSchema,
  DAPI_API__POC_CALLBACK_URL: HttpUrlSchema,
  RPC_SERVER_URL_1: HttpUrlSchema,
  RPC_SERVER_URL_2: HttpUrlSchema,
});

const ENV_VARIABLE: Record<string, string> = {
  KEY_NAME: 'key_name',
  PUBLIC_URL: 'public_ip',
  P2P_EXTERNAL_ADDRESS: 'public_ip',
  ACCOUNT_PUBKEY: 'account_pubkey',
  HF_HOME: 'hf_home',
  SEED_API_URL: 'gonka_network_overrides.seed_api_url',
  SEED_NODE_RPC_URL: 'gonka_network_overrides.seed_node_rpc_url',
  SEED_NODE_P2P_URL: 'gonka_network_overrides.seed_node_p2p_url',
  DAPI_API__POC_CALLBACK_URL: 'private_ip',
  RPC_SERVER_URL_1: 'gonka_network_overrides.rpc_servers',
  RPC_SERVER_URL_2: 'gonka_network_overrides.rpc_servers',
  BEACON_STATE_URL: 'gonka_network_overrides.beacon_state_url',
};

// config.env is one `export K=V` line per value (quoted for sh where written): a newline could not stay in it
const validateEnv = (env: Record<string, string>): void => {
  const broken = Object.keys(env).find((key) => hasControlChar(env[key]));
  if (broken) throw new DeploymentVariableError(ENV_VARIABLE[broken] ?? broken, `renders ${broken} with a newline or another control character`);
  const res = EnvSchema.safeParse(env);
  if (res.success) return;
  const key = String(res.error.issues[0].path[0]);
  throw new DeploymentVariableError(ENV_VARIABLE[key] ?? key, `renders ${key}=${env[key]}, which is not valid: ${res.error.issues[0].message}`);
};

const localRecommendation = (input: DeploymentInput): RecommendationInput =>
  checked(
    'gpu_recommendation',
    RecommendationSchema,
    need(
      'gpu_recommendation',
      input.vars.gpu_recommendation,
      `on an ML node (${input.vars.inventory_hostname} is in ${ML_GROUP}): run the gpu-detect role first`,
    ),
  );

const placeOf = (v: ConfigVars): Topology => {
  const t = topologyOf(v.group_names);
  if (!t.network && !t.ml) throw new DeploymentVariableError('group_names', `${v.inventory_hostname} is in neither network_nodes nor ml_nodes`);
  return t;
};

const mlBindOf = (v: ConfigVars, t: Topology): string =>
  isFullServer(t)
    ? LOOPBACK
    : need('private_ip', v.private_ip, `on ${t.ml ? 'an ML node whose network node is another server' : 'a network node whose ML nodes are other servers'}`);

const networkNodeOf = (v: ConfigVars, t: Topology): string | undefined =>
  t.ml && !isFullServer(t) ? need('network_node', v.network_node, 'on an ML-only host: the inventory name of its network node') : v.network_node;

/**
 * What the host's place in the topology requires of its own variables, every problem at once: part of the config
 * role's schema, so known before the run, where buildDeployment would stop at the first, in the Configure play.
 */
export const placeProblems = (v: ConfigVars): DeploymentVariableError[] => {
  const checks = [() => placeOf(v), () => mlBindOf(v, placeOf(v)), () => networkNodeOf(v, placeOf(v)), () => placeOf(v).network && publicHostOf(v)];
  const problems = checks.flatMap((check) => {
    try {
      check();
      return [];
    } catch (e) {
      if (e instanceof DeploymentVariableError) return [e];
      throw e;
    }
  });
  // a host in neither group has no place: the rest follows from that one
  return problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i);
};

/** Check the variables for this host's place in the topology and compute every value the Gonka files hold. */
export const buildDeployment = (input: DeploymentInput): Deployment => {
  const v = input.vars;
  const t = placeOf(v);
  const full = isFullServer(t);
  const rec = t.ml ? localRecommendation(input) : undefined;
  const mlBind = mlBindOf(v, t);
  networkNodeOf(v, t);
  if (t.network) need('keyring_password', input.keyringPassword, 'on a network node (or keyring_password_file)');
  const env = t.network ? networkEnv(input, t) : {};
  if (t.network) validateEnv(env);
  if (t.network) checkCredentials(v);
  const local = rec && full ? nodeEntries(v.inventory_hostname, rec, { host: 'inference', poc: NGINX_POC_BASE, inference: NGINX_INFERENCE_BASE }) : [];
  return {
    topology: { ...t, full },
    release: input.versions.release,
    deploy_dir: v.gonka_deploy_dir,
    hf_home: v.hf_home,
    env,
    images: {
      tmkms: imageOf('tmkms', input.versions),
      node: imageOf('node', input.versions),
      api: imageOf('api', input.versions),
      edge_api: imageOf('edge_api', input.versions),
      versiond: imageOf('versiond', input.versions),
      bridge: imageOf('bridge', input.versions),
      proxy: imageOf('proxy', input.versions),
      proxy_ssl: imageOf('proxy_ssl', input.versions),
      explorer: imageOf('explorer', input.versions),
      nginx: imageOf('nginx', input.versions),
    },
    bind: { internal: LOOPBACK, ml_facing: mlBind },
    ports: {
      p2p: v.gonka_p2p_port,
      api: v.gonka_api_port,
      api_ssl: v.gonka_api_ssl_port,
      bridge_p2p: v.gonka_bridge_p2p_port,
      rpc: 26657,
      poc_callback: 9100,
      admin: 9200,
    },
    bridge: v.gonka_bridge,
    ssl_domain: v.gonka_ssl_domain ?? null,
    chain: { chain_id: input.network.chain_id, peers: input.network.peers.join(',') },
    pruning: { keep_recent: v.gonka_pruning_keep_recent, interval: v.gonka_pruning_interval },
    mlnodes: rec ? mlServices(rec, v) : [],
    node_config: t.network ? uniqueIds([...local, ...remoteEntries(input)]) : [],
  };
};
