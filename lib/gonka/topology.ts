/** What a host runs, from its inventory groups. */
export interface Topology {
  /** in `network_nodes`: chain node, api, proxy (config.env, docker-compose.yml, node-config.json) */
  network: boolean;
  /** in `ml_nodes`: GPU inference servers (docker-compose.mlnode.yml, nginx.conf) */
  ml: boolean;
}

export const NETWORK_GROUP = 'network_nodes';
export const ML_GROUP = 'ml_nodes';

export const topologyOf = (groupNames: readonly string[]): Topology => ({
  network: groupNames.includes(NETWORK_GROUP),
  ml: groupNames.includes(ML_GROUP),
});

/** Both roles on one server: the api reaches the ML nodes inside Docker's network, nothing ML-facing leaves the host. */
export const isFullServer = (t: Topology): boolean => t.network && t.ml;
