import { z } from 'zod';

/** One ML node container of this host (docker-compose.mlnode.yml) and the nginx ports in front of it. */
export const MlNodeServiceSchema = z.object({
  service: z.string(),
  image: z.string(),
  device_ids: z.array(z.string()),
  /** the container's environment, in order */
  env: z.record(z.string(), z.string()),
  nginx_poc_port: z.number(),
  nginx_inference_port: z.number(),
  host_poc_port: z.number(),
  host_inference_port: z.number(),
});
export type MlNodeService = z.output<typeof MlNodeServiceSchema>;

/** One entry of node-config.json: an ML node as the network node's api reaches it. */
export const NodeConfigEntrySchema = z.object({
  id: z.string(),
  host: z.string(),
  inference_port: z.number(),
  poc_port: z.number(),
  max_concurrent: z.number(),
  model: z.string(),
  args: z.array(z.string()),
  hardware: z.array(z.object({ type: z.string(), count: z.number() })),
});
export type NodeConfigEntry = z.output<typeof NodeConfigEntrySchema>;

/**
 * Everything the Gonka templates render, validated by the config role (lib/gonka/build-deployment.ts): the templates
 * only place these values. The config role publishes it as the host variable `gonka`; the roles after it read it
 * through their vars schema (`deploymentVar`).
 */
export const DeploymentSchema = z.object({
  topology: z.object({ network: z.boolean(), ml: z.boolean(), full: z.boolean() }),
  /** the upstream release whose stack this is (data/versions.yml) */
  release: z.string(),
  deploy_dir: z.string(),
  hf_home: z.string(),
  env: z.record(z.string(), z.string()),
  images: z.object({
    tmkms: z.string(),
    node: z.string(),
    api: z.string(),
    edge_api: z.string(),
    versiond: z.string(),
    bridge: z.string(),
    proxy: z.string(),
    proxy_ssl: z.string(),
    explorer: z.string(),
    nginx: z.string(),
  }),
  bind: z.object({ internal: z.string(), ml_facing: z.string() }),
  ports: z.object({
    p2p: z.number(),
    api: z.number(),
    api_ssl: z.number(),
    bridge_p2p: z.number(),
    rpc: z.number(),
    poc_callback: z.number(),
    admin: z.number(),
  }),
  /** the Ethereum bridge service runs (its geth p2p port is then public) */
  bridge: z.boolean(),
  /** proxy-ssl (compose profile `ssl`) issues certificates for this domain; null: no TLS */
  ssl_domain: z.string().nullable(),
  chain: z.object({ chain_id: z.string(), peers: z.string() }),
  pruning: z.object({ keep_recent: z.number(), interval: z.number() }),
  mlnodes: z.array(MlNodeServiceSchema),
  node_config: z.array(NodeConfigEntrySchema),
});
export type Deployment = z.output<typeof DeploymentSchema>;

/** A role variable holding the deployment the config role computed; `missing` says what to run when it is not there. */
export const deploymentVar = (missing: string) =>
  z
    .unknown()
    .refine((v) => v !== undefined && v !== null, { message: missing, abort: true })
    .pipe(DeploymentSchema);
