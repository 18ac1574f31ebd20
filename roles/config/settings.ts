import { buildDeployment } from '../../lib/gonka/build-deployment.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { DeploymentVariableError } from '../../lib/gonka/deployment-variable-error.js';
import type { ConfigVars } from '../../lib/gonka/config-vars.js';
import { readKeyringPassword } from '../../lib/gonka/keyring-password.js';
import { loadNetwork, withNetworkOverrides } from '../../lib/gonka/network.js';
import { ML_GROUP } from '../../lib/gonka/topology.js';
import { loadVersions, withVersionOverrides } from '../../lib/gonka/versions.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { COLD_KEY_PLANNED, keyPlanned, KNOWN_AFTER_APPLY } from '../../lib/gonka/key-planning.js';

const hostVarOf =
  (ctx: ModuleContext) =>
  (host: string, name: string): unknown =>
    (ctx.vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[host]?.[name];

const mlHostsOf = (ctx: ModuleContext): string[] => (ctx.vars.groups as Record<string, string[]> | undefined)?.[ML_GROUP] ?? [];

// an ML server that was unreachable or failed before gpu-detect has no sizing in this run: it is left out of
// node-config (and named) so its network node still completes; re-running it with the retry file adds it
const sizedMlHosts = (ctx: ModuleContext): { hosts: string[]; unsized: string[] } => {
  const all = mlHostsOf(ctx);
  const sized = all.filter((h) => hostVarOf(ctx)(h, 'gpu_recommendation') !== undefined || h === ctx.hostname);
  return { hosts: sized, unsized: all.filter((h) => !sized.includes(h)) };
};

// check mode on a bare server: the keys role only planned the cold key, so its public key is shown as unknown
const plannedVars = (ctx: ModuleContext, v: ConfigVars): { vars: ConfigVars; note: string } =>
  v.account_pubkey === undefined && keyPlanned(ctx, COLD_KEY_PLANNED)
    ? { vars: { ...v, account_pubkey: KNOWN_AFTER_APPLY }, note: `; ACCOUNT_PUBKEY ${KNOWN_AFTER_APPLY}: the keys role would create the cold key` }
    : { vars: v, note: '' };

/** Compute and validate every value of the Gonka files; published as the `gonka` fact the templates render. */
export const deploymentSettings = async (ctx: ModuleContext, v: ConfigVars): Promise<ModuleResult> => {
  try {
    const password = await readKeyringPassword(v);
    const network = withNetworkOverrides(await loadNetwork(v.gonka_network), v.gonka_network_overrides);
    const versions = withVersionOverrides(await loadVersions(), v.gonka_versions_overrides);
    const { vars, note } = plannedVars(ctx, v);
    const ml = sizedMlHosts(ctx);
    const gonka: Deployment = buildDeployment({ vars, network, versions, keyringPassword: password, hostVar: hostVarOf(ctx), mlHosts: ml.hosts });
    const left = ml.unsized.filter((h) => hostVarOf(ctx)(h, 'network_node') === v.inventory_hostname);
    const leftOut = left.length ? `; left out of node-config (not prepared in this run: unreachable or failed): ${left.join(', ')}` : '';
    const role = gonka.topology.full ? 'network node and ML node' : gonka.topology.network ? 'network node' : 'ML node';
    return {
      changed: false,
      msg: `${role} on ${network.chain_id}: ${gonka.mlnodes.length} local ML node(s), ${gonka.node_config.length} node-config entr${gonka.node_config.length === 1 ? 'y' : 'ies'}${note}${leftOut}`,
      ansible_facts: { gonka, ...(password === undefined ? {} : { gonka_keyring_password: password }) },
    };
  } catch (e) {
    if (e instanceof DeploymentVariableError || (e instanceof Error && e.message.startsWith('variable ')))
      return { changed: false, failed: true, msg: e.message };
    throw e;
  }
};
