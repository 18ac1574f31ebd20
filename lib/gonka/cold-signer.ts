import { DeploymentVariableError } from './deployment-variable-error.js';

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
