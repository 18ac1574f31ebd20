import { z } from 'zod';
import { posix } from 'node:path';
import { compareVersions } from '../../lib/gpu/compare-versions.js';
import { mlnodeImage } from '../../lib/gpu/image.js';
import { imageOf, loadVersions, withVersionOverrides, type Component } from '../../lib/gonka/versions.js';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { MLNODE_COMPOSE, NETWORK_COMPOSE, NODE_CONFIG } from '../../lib/gonka/deploy-files.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { composeImages, imageTag } from './compose-images.js';
import { readText } from './switch-image.js';
import type { NetworkNodeApi } from './network-node.js';
import type { UpdateVars } from './vars.js';

/** network node services whose images nop updates; node and api binaries move with Cosmovisor */
export const NETWORK_IMAGE_SERVICES: Record<string, Component> = { tmkms: 'tmkms', proxy: 'proxy', explorer: 'explorer' };

const ImageChangeSchema = z.object({ file: z.string(), service: z.string(), from: z.string(), to: z.string() });
export type ImageChange = z.output<typeof ImageChangeSchema>;

const MlNodeChangeSchema = ImageChangeSchema.extend({
  /** the ML node's id in the admin API */
  node_id: z.string(),
  /** the instance number: its nginx ports are the base ports + index */
  index: z.number().int().nonnegative(),
});
export type MlNodeChange = z.output<typeof MlNodeChangeSchema>;

/** What an update changes on one host (the plan task publishes it as `update_plan`). */
export const UpdatePlanSchema = z.object({ mlnodes: z.array(MlNodeChangeSchema), network: z.array(ImageChangeSchema), unchanged: z.array(z.string()) });
export type UpdatePlan = z.output<typeof UpdatePlanSchema>;

/** What the plan reads on this host: its compose files, and on a full server its node-config.json. */
export const planFacts = (v: UpdateVars): FactRequest[] =>
  [MLNODE_COMPOSE, NETWORK_COMPOSE, ...(v.network_node && v.network_node !== v.inventory_hostname ? [] : [NODE_CONFIG])].map((f) =>
    request(fileContent, posix.join(v.gonka_deploy_dir, f)),
  );

const isOlder = (to: string, from: string): boolean => {
  try {
    return compareVersions(imageTag(to).replace(/-blackwell$/, ''), imageTag(from).replace(/-blackwell$/, '')) < 0;
  } catch {
    // tags that are not versions (latest) are never "older"
    return false;
  }
};

const targetMlnodeImage = (v: UpdateVars, current: string, release: string): string => {
  if (v.mlnode_image) return v.mlnode_image;
  // the image gpu-detect chose for the served model (the catalog's, one per model): the stack move wrote it
  if (v.gpu_recommendation?.image) return v.gpu_recommendation.image;
  // a Blackwell host keeps its Blackwell build of the new release
  return mlnodeImage(release, imageTag(current).endsWith('-blackwell'));
};

interface NodeConfigEntry {
  id: string;
  host: string;
}

// The network node's node-config lists its own ML nodes (host `inference`, Docker's network) first, then each
// ML server's (host: its private_ip), each in the ML services' order: entry i of this host's is mlnode-(i+1).
const ownEntries = (entries: NodeConfigEntry[], nn: NetworkNodeApi, v: UpdateVars): NodeConfigEntry[] =>
  entries.filter((e) => (nn.remote ? e.host === v.private_ip : e.host === 'inference'));

const nodeIdOf = (entries: NodeConfigEntry[], index: number, host: string): string => entries[index]?.id ?? `${host}-node${index + 1}`;

/** What an update would change on this host: ML node images one by one, then the network node's own images. */
export const planUpdate = async (ctx: ModuleContext, v: UpdateVars, nn: NetworkNodeApi): Promise<UpdatePlan | { error: string }> => {
  const versions = withVersionOverrides(await loadVersions(), v.gonka_versions_overrides);
  const plan: UpdatePlan = { mlnodes: [], network: [], unchanged: [] };
  const mlText = await readText(ctx, posix.join(v.gonka_deploy_dir, MLNODE_COMPOSE));
  const netText = await readText(ctx, posix.join(v.gonka_deploy_dir, NETWORK_COMPOSE));
  const nodeConfig = ownEntries(JSON.parse((await readText(nn.ctx, posix.join(nn.deployDir, NODE_CONFIG))) ?? '[]') as NodeConfigEntry[], nn, v);
  const mlServices = Object.entries(mlText ? composeImages(mlText) : {}).filter(([name]) => /^mlnode-\d+$/.test(name));
  for (const [index, [service, from]] of mlServices.entries()) {
    const to = targetMlnodeImage(v, from, versions.mlnode);
    if (to === from) plan.unchanged.push(`${service} ${from}`);
    else plan.mlnodes.push({ file: MLNODE_COMPOSE, service, from, to, node_id: nodeIdOf(nodeConfig, index, v.inventory_hostname), index });
  }
  if (v.update_network_images && netText) {
    for (const [service, from] of Object.entries(composeImages(netText))) {
      const component = NETWORK_IMAGE_SERVICES[service];
      if (!component) continue;
      const to = imageOf(component, versions);
      if (to === from) plan.unchanged.push(`${service} ${from}`);
      else plan.network.push({ file: NETWORK_COMPOSE, service, from, to });
    }
  }
  const downgrades = [...plan.mlnodes, ...plan.network].filter((c) => isOlder(c.to, c.from));
  if (downgrades.length && !v.allow_downgrade) {
    return { error: `refusing to downgrade ${downgrades.map((c) => `${c.service} ${c.from} → ${c.to}`).join(', ')}; set allow_downgrade=true to do it anyway` };
  }
  return plan;
};

export const describePlan = (plan: UpdatePlan): string => {
  const lines = [
    ...plan.mlnodes.map((c) => `${c.service} (${c.node_id}): ${c.from} → ${c.to}`),
    ...plan.network.map((c) => `${c.service}: ${c.from} → ${c.to}`),
  ];
  return lines.length ? lines.join('; ') : 'every image is current';
};
