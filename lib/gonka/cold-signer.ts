import { z } from 'zod';
import type { Deployment } from './deployment.js';
import { networkProject } from './deployment-project.js';
import { DeploymentVariableError } from './deployment-variable-error.js';
import type { Inferenced } from './inferenced-command.js';

/** Inventory group of the operator's own machine, where the cold key lives in the secure workflow. */
export const COLD_SIGNER_GROUP = 'cold_signer';

/**
 * The host holding the cold key in the secure workflow: the first of the cold_signer group, never the server
 * itself (the point of the workflow is that the server never holds the cold key).
 */
export const coldSignerHost = (v: { groups: Record<string, string[]>; inventory_hostname: string }): string => {
  const signer = v.groups[COLD_SIGNER_GROUP]?.[0];
  if (!signer)
    throw new DeploymentVariableError(
      'key_workflow',
      `secure keeps the cold key on your own machine: add it to the inventory group ${COLD_SIGNER_GROUP} (e.g. localhost with ansible_connection: local)`,
    );
  if (signer === v.inventory_hostname)
    throw new DeploymentVariableError('key_workflow', `secure: ${signer} is the server itself; ${COLD_SIGNER_GROUP} must be another machine`);
  return signer;
};

/** What locating the cold key reads: the key workflow, the inventory, the deployment's chain RPCs. */
export interface ColdSignerVars {
  inventory_hostname: string;
  groups: Record<string, string[]>;
  key_workflow: 'quick' | 'secure';
  gonka: Deployment;
  cold_keyring_dir?: string;
  cold_signer_node_url?: string;
  hostvars?: Record<string, Record<string, unknown> | undefined>;
}

// inferenced's own default home on the cold signer when neither it nor the server names one
const signerHome = (v: ColdSignerVars): string => {
  const own = v.hostvars?.[coldSignerHost(v)]?.cold_keyring_dir;
  const home = z
    .string()
    .optional()
    .parse(own, { error: () => 'hostvars.cold_keyring_dir must be a path' });
  return home ?? v.cold_keyring_dir ?? '~/.inference';
};

export interface ColdKeySigner {
  inferenced: Inferenced;
  /** the chain RPC the transaction is broadcast to */
  node: string;
  /** the inventory host that signs (the cold signer); undefined: the server itself */
  host: string | undefined;
  /** where, in words: "on the server", "on laptop" */
  where: string;
}

/** Where the cold key lives and the chain RPC it broadcasts to: the api container (quick), the cold signer (secure). */
export const coldKeySigner = (v: ColdSignerVars): ColdKeySigner => {
  if (v.key_workflow !== 'secure')
    return { inferenced: { ...networkProject(v.gonka), service: 'api' }, node: v.gonka.env.DAPI_CHAIN_NODE__URL, host: undefined, where: 'on the server' };
  const host = coldSignerHost(v);
  return { inferenced: { home: signerHome(v) }, node: v.cold_signer_node_url ?? v.gonka.env.SEED_NODE_RPC_URL, host, where: `on ${host}` };
};
