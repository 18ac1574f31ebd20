import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from './deploy-files.js';
import type { Deployment } from './deployment.js';

/** How the Gonka modules name one compose file of a deployment (compose_service, docker_image, chain_tx's `inferenced`). */
export interface DeploymentProject {
  project_dir: string;
  files: string[];
  /** config.env, on a network node: the compose files interpolate it, and sourcing keeps the keyring password off argv */
  env_file?: string;
}

export const deploymentProject = (d: Deployment, file: string): DeploymentProject => ({
  project_dir: d.deploy_dir,
  files: [file],
  ...(d.topology.network ? { env_file: CONFIG_ENV } : {}),
});

/** docker-compose.yml: tmkms, node, api, proxy, explorer. */
export const networkProject = (d: Deployment): DeploymentProject => deploymentProject(d, NETWORK_COMPOSE);

/** docker-compose.mlnode.yml: the ML node containers and the nginx (`inference`) in front of them. */
export const mlProject = (d: Deployment): DeploymentProject => deploymentProject(d, MLNODE_COMPOSE);

/**
 * docker-compose.yml's services in the order they start: tmkms holds the consensus key the node signs with; the api
 * needs the node; edge-api reads the node, versiond and the bridge talk to the api; proxy-ssl (with a domain) issues
 * the certificate the proxy serves; the proxy fronts them all.
 */
export const chainServices = (d: Deployment): string[] => [
  'tmkms',
  'node',
  'api',
  'edge-api',
  'versiond',
  ...(d.bridge ? ['bridge'] : []),
  ...(d.ssl_domain ? ['proxy-ssl'] : []),
  'proxy',
  'explorer',
];

/** The images docker-compose.yml runs. */
export const networkImages = (d: Deployment): string[] => [
  d.images.tmkms,
  d.images.node,
  d.images.api,
  d.images.edge_api,
  d.images.versiond,
  ...(d.bridge ? [d.images.bridge] : []),
  ...(d.ssl_domain ? [d.images.proxy_ssl] : []),
  d.images.proxy,
  d.images.explorer,
];

/** The ML node services of docker-compose.mlnode.yml and their nginx. */
export const mlServices = (d: Deployment): string[] => [...d.mlnodes.map((m) => m.service), 'inference'];

/** The images docker-compose.mlnode.yml runs. */
export const mlImages = (d: Deployment): string[] => [...new Set([...d.mlnodes.map((m) => m.image), d.images.nginx])];
