import { posix } from 'node:path';
import type { AdminNode } from '../../lib/gonka/admin-api.js';
import { mlServerEntries } from '../../lib/gonka/build-deployment.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE, NGINX_CONF, NODE_CONFIG } from '../../lib/gonka/deploy-files.js';
import type { Deployment, NodeConfigEntry } from '../../lib/gonka/deployment.js';
import { DeploymentVariableError } from '../../lib/gonka/deployment-variable-error.js';
import { deployedSettings, modelsOfNodeConfig } from '../../lib/gonka/deployed-settings.js';
import { renderAllDeployFiles } from '../../lib/gonka/render-deploy-files.js';
import { ML_GROUP } from '../../lib/gonka/topology.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { networkNode } from './network-node.js';
import { adminNodes } from './safe-window.js';
import type { StackTarget } from './stack-move.js';
import { planStackMove, stackDifferences, type DeployTexts } from './stack-plan.js';
import { readText } from './switch-image.js';
import type { UpdateVars } from './vars.js';

const FILES = [CONFIG_ENV, NODE_CONFIG, NETWORK_COMPOSE, NGINX_CONF, MLNODE_COMPOSE];

type HostVars = Record<string, Record<string, unknown> | undefined>;

const hostVarOf = (ctx: ModuleContext) => (host: string, name: string) => (ctx.vars.hostvars as HostVars | undefined)?.[host]?.[name];

// ML servers sized in this run (gpu-detect, or gpu_recommendation in the inventory): the network node's node-config
// lists theirs; this host always counts
const sizedMlHosts = (ctx: ModuleContext): string[] =>
  ((ctx.vars.groups as Record<string, string[]> | undefined)?.[ML_GROUP] ?? []).filter(
    (h) => h === ctx.hostname || hostVarOf(ctx)(h, 'gpu_recommendation') !== undefined,
  );

/** This host's ML nodes in today's deployment: on a network node, node-config's `inference` entries; else its own. */
const ownEntries = (ctx: ModuleContext, d: Deployment): NodeConfigEntry[] => {
  if (!d.topology.ml) return [];
  if (d.topology.network) return d.node_config.filter((e) => e.host === 'inference');
  return mlServerEntries(ctx.hostname, (name) => ctx.vars[name]);
};

/** Whether an admin API (or node-config) entry is one of this host's ML nodes. */
export const ownHost =
  (v: UpdateVars) =>
  (host: string): boolean =>
    v.network_node && v.network_node !== v.inventory_hostname ? host === v.private_ip : host === 'inference';

export const ownIds = (v: UpdateVars) => (nodes: AdminNode[]) => nodes.filter((n) => ownHost(v)(n.node.host ?? '')).map((n) => n.node.id);

/**
 * Today's stack for this host against what it has: its deployed files and what nop renders from the inventory (the
 * cold key, key name and keyring password taken from the deployed config.env when the inventory leaves them out),
 * and the model its ML nodes serve now as the admin API lists them (node-config.json when the api does not answer).
 */
// the deployed files with the move's texts written over them: what the host has after the move
const withTexts = (deployed: DeployTexts, texts: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries({ ...deployed, ...texts }).flatMap(([f, t]) => (t === undefined ? [] : [[f, t]])));

export const stackTarget = async (ctx: ModuleContext, v: UpdateVars): Promise<StackTarget | { error: string }> => {
  const deployed: DeployTexts = {};
  for (const f of FILES) deployed[f] = await readText(ctx, posix.join(v.gonka_deploy_dir, f));
  let today: Awaited<ReturnType<typeof renderAllDeployFiles>>;
  try {
    today = await renderAllDeployFiles(
      { vars: { ...ctx.vars, gonka_deploy_dir: v.gonka_deploy_dir }, hostVar: hostVarOf(ctx), mlHosts: sizedMlHosts(ctx) },
      deployedSettings(deployed[CONFIG_ENV] ?? ''),
    );
  } catch (e) {
    if (e instanceof DeploymentVariableError || (e instanceof Error && e.message.startsWith('variable '))) return { error: e.message };
    throw e;
  }
  const entries = ownEntries(ctx, today.deployment);
  const nn = await networkNode(ctx, v);
  const listed = today.deployment.topology.ml ? await adminNodes(nn.ctx, v) : [];
  const from = listed
    ? listed.filter((n) => ownHost(v)(n.node.host ?? '')).flatMap((n) => Object.keys(n.node.models))
    : modelsOfNodeConfig(deployed[NODE_CONFIG], ownHost(v));
  const { move, texts } = planStackMove(deployed, today.files, { from: [...new Set(from)], to: [...new Set(entries.map((e) => e.model))] });
  return {
    deployment: today.deployment,
    identity: today.identity,
    entries,
    texts,
    deployed,
    move: { ...move, differences: move.files.length ? stackDifferences(deployed, withTexts(deployed, texts)) : [], hf_home: today.deployment.hf_home },
  };
};
