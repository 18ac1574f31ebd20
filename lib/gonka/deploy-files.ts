import type { Deployment } from './deployment.js';

export const CONFIG_ENV = 'config.env';
export const NETWORK_COMPOSE = 'docker-compose.yml';
export const MLNODE_COMPOSE = 'docker-compose.mlnode.yml';
export const NODE_CONFIG = 'node-config.json';
export const NGINX_CONF = 'nginx.conf';

/** The files this host's place in the topology gets, with the compose files first. */
export const composeFilesOf = (d: Deployment): string[] => [...(d.topology.network ? [NETWORK_COMPOSE] : []), ...(d.topology.ml ? [MLNODE_COMPOSE] : [])];

export const mountedFilesOf = (d: Deployment): string[] => [...(d.topology.network ? [NODE_CONFIG] : []), ...(d.topology.ml ? [NGINX_CONF] : [])];
