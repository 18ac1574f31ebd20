import { posix } from 'node:path';
import { composeContainers } from '../../lib/facts/builtin/compose-ps.js';
import { httpGet } from '../../lib/facts/builtin/http.js';
import { request } from '../../lib/facts/fact.js';
import { adminEntryOf, AdminNodeEntrySchema, adminNodesRequest, type AdminNode, type AdminNodeEntry } from '../../lib/gonka/admin-api.js';
import { CONFIG_ENV, MLNODE_COMPOSE } from '../../lib/gonka/deploy-files.js';
import type { Deployment, NodeConfigEntry } from '../../lib/gonka/deployment.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import type { FileDiff, ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { fingerprintsOf } from '../config/fingerprints.js';
import { recreateAffected } from '../config/recreate.js';
import { probeLoad, setEnabled, waitLoaded } from './mlnode-update.js';
import { networkNode, type NetworkNodeApi } from './network-node.js';
import type { MlNodeChange } from './plan.js';
import { adminNodes, waitSafeWindow, windowCaveat } from './safe-window.js';
import type { DeployTexts, StackMove } from './stack-plan.js';
import { composeProject } from './switch-image.js';
import type { UpdateVars } from './vars.js';

/** What the move works from: today's deployment and files, and what the host has now. */
export interface StackTarget {
  deployment: Deployment;
  /** the cold key and keyring password: the inventory's, or the deployed config.env's */
  identity: { account_pubkey: string; keyring_password: string };
  /** this host's ML nodes as today's node-config lists them */
  entries: NodeConfigEntry[];
  /** the texts the move writes (the files that change) */
  texts: Record<string, string>;
  /** the deploy-dir files as they are now */
  deployed: DeployTexts;
  move: StackMove;
}

const SECRET_FILES = new Set([CONFIG_ENV]);

/**
 * Write `texts` into the deploy dir (a backup of each replaced file kept): the failure, if any; `diffs` collects each
 * file's diff (in check mode, what it would write).
 */
const writeTexts = async (ctx: ModuleContext, dir: string, texts: Record<string, string | undefined>, diffs: FileDiff[] = []): Promise<string | undefined> => {
  for (const [file, content] of Object.entries(texts)) {
    const dest = posix.join(dir, file);
    const res =
      content === undefined
        ? await ctx.exec(`rm -f -- '${dest.replaceAll("'", `'\\''`)}'`).then((r) => ({ failed: r.code !== 0, msg: r.stderr.trim(), diff: undefined }))
        : await ctx.call(copyModule, { dest, content, backup: true, mode: SECRET_FILES.has(file) ? '0600' : '0644', secret: SECRET_FILES.has(file) });
    if (res.failed) return `writing ${dest}: ${res.msg}`;
    diffs.push(...(res.diff ?? []));
  }
  return undefined;
};

/** Recreate the services `from` → `to` changes (new ones started, dropped ones removed). */
const recreate = async (ctx: ModuleContext, d: Deployment, from: DeployTexts, to: DeployTexts): Promise<string | undefined> => {
  const res = await recreateAffected(ctx, d, await fingerprintsOf(d, async (f) => from[f]), await fingerprintsOf(d, async (f) => to[f]));
  return res.failed ? String(res.msg) : undefined;
};

// an admin API listing's node as the admin API takes it back (a rollback puts the previous model there again)
const entryOf = (n: AdminNode): AdminNodeEntry | undefined => {
  const res = AdminNodeEntrySchema.safeParse({
    id: n.node.id,
    host: n.node.host,
    inference_port: n.node.inference_port,
    poc_port: n.node.poc_port,
    max_concurrent: n.node.max_concurrent ?? 500,
    models: Object.fromEntries(Object.entries(n.node.models).map(([m, a]) => [m, { args: a.args ?? [] }])),
    hardware: (n.node as { hardware?: unknown }).hardware ?? [],
  });
  return res.success ? res.data : undefined;
};

/** The admin API answers again (its api was just recreated): its node list, or undefined within the load timeout. */
const adminListing = (api: ModuleContext, v: UpdateVars): Promise<AdminNode[] | undefined> =>
  pollUntil(api, { timeout: v.update_load_timeout, interval: v.update_poll_interval }, async () => {
    const nodes = await adminNodes(api, v);
    return nodes ? { done: nodes } : { waiting: 'waiting for the admin API to answer again' };
  });

/**
 * The admin API lists exactly `entries` among `ids` (added or updated, enabled: the api loads the model only on an
 * enabled node that is not in this epoch), and nothing else of them.
 */
const registerNodes = async (api: ModuleContext, v: UpdateVars, entries: AdminNodeEntry[], ids: string[]): Promise<string | undefined> => {
  if ((await adminListing(api, v)) === undefined) return `the admin API does not answer within ${v.update_load_timeout} s`;
  api.facts.invalidate([{ fact: httpGet, arg: adminNodesRequest(v.gonka_admin_url) }]);
  const gone = ids.filter((id) => !entries.some((e) => e.id === id)).map((id) => ({ id }));
  if (gone.length) {
    const res = await api.call(gonkaAdminNodeModule, { admin_url: v.gonka_admin_url, nodes: gone, state: 'absent' });
    if (res.failed) return `removing ${gone.map((g) => g.id).join(', ')} from the admin API: ${res.msg}`;
  }
  if (entries.length === 0) return undefined;
  const res = await api.call(gonkaAdminNodeModule, { admin_url: v.gonka_admin_url, nodes: entries, enabled: true });
  return res.failed ? `the admin API refused ${entries.map((e) => e.id).join(', ')}: ${res.msg}` : undefined;
};

const mlChanges = (d: Deployment, entries: { id: string }[]): MlNodeChange[] =>
  d.mlnodes.map((m, index) => ({ file: MLNODE_COMPOSE, service: m.service, from: '', to: m.image, node_id: entries[index]?.id ?? m.service, index }));

/** Every service of the compose files runs (a profile left off is not started, and not waited for). */
const stackRunning = async (ctx: ModuleContext, v: UpdateVars, d: Deployment, texts: DeployTexts): Promise<string | undefined> => {
  const wanted = Object.entries(await fingerprintsOf(d, async (f) => texts[f])).flatMap(([file, services]) =>
    Object.keys(services).map((s) => [file, s] as const),
  );
  const projects = [...new Set(wanted.map(([file]) => file))].map((file) => composeProject(d.deploy_dir, file));
  const up = await pollUntil(ctx, { timeout: v.update_load_timeout, interval: v.update_poll_interval }, async () => {
    // each look reads every compose file's containers in one command, not one `docker compose ps` per service
    ctx.facts.invalidate([{ fact: composeContainers }]);
    await ctx.facts.readAll(projects.map((p) => request(composeContainers, p)));
    for (const [file, service] of wanted)
      if ((await ctx.facts.read(composeContainers, composeProject(d.deploy_dir, file)))?.get(service)?.state !== 'running')
        return { waiting: `waiting for ${service} to run` };
    return { done: true };
  });
  return up ? undefined : `not every service of today's stack runs within ${v.update_load_timeout} s`;
};

/** Every ML node loaded its model; the first the api reports FAILED ends the wait (one bad node fails the move). */
const mlNodesLoaded = async (ctx: ModuleContext, nn: NetworkNodeApi, v: UpdateVars, changes: MlNodeChange[]): Promise<string | undefined> => {
  const outcome = await pollUntil(ctx, { timeout: v.update_load_timeout, interval: v.update_poll_interval }, async () => {
    const waiting: string[] = [];
    for (const c of changes) {
      const probe = await probeLoad(ctx, nn.ctx, v, c, true);
      if ('waiting' in probe) waiting.push(probe.waiting);
      else if (!probe.done.loaded) return { done: `${c.service}: ${probe.done.reason}` };
    }
    return waiting.length ? { waiting: waiting[0] } : { done: '' };
  });
  return outcome === undefined ? `the ML nodes did not load the model within ${v.update_load_timeout} s` : outcome || undefined;
};

/** Today's stack healthy: its services run, each of this host's ML nodes serves today's model. */
const healthy = async (ctx: ModuleContext, nn: NetworkNodeApi, v: UpdateVars, t: StackTarget, texts: DeployTexts): Promise<string | undefined> =>
  (await stackRunning(ctx, v, t.deployment, texts)) ?? (await mlNodesLoaded(ctx, nn, v, mlChanges(t.deployment, t.entries)));

interface Previous {
  texts: DeployTexts;
  /** this host's ML nodes as the admin API listed them before the move */
  nodes: AdminNodeEntry[];
}

/** The failure after the switch: the previous files, containers and admin API entries back, its ML nodes enabled again. */
const rollBack = async (ctx: ModuleContext, nn: NetworkNodeApi, v: UpdateVars, t: StackTarget, prev: Previous, why: string): Promise<ModuleResult> => {
  ctx.progress(`${why}; putting the previous stack back`);
  const restore = Object.fromEntries(t.move.files.map((f) => [f, prev.texts[f]]));
  const newIds = t.entries.map((e) => e.id);
  const back =
    (await writeTexts(ctx, t.deployment.deploy_dir, restore)) ??
    (await recreate(ctx, t.deployment, { ...prev.texts, ...t.texts }, prev.texts)) ??
    (t.deployment.topology.ml ? await registerNodes(nn.ctx, v, prev.nodes, [...newIds, ...prev.nodes.map((n) => n.id)]) : undefined) ??
    (await restoredLoaded(ctx, nn, v, prev));
  const after = back
    ? `rollback incomplete: ${back}`
    : `rolled back to the previous stack${t.move.model ? ` and ${t.move.model.from.join(', ')}` : ''}, its ML nodes enabled again`;
  return { changed: true, failed: true, rolled_back: true, msg: `moving to today's stack failed (${why}); ${after}. The rollout stops here.` };
};

// the previous ML nodes serve again (their own ports: the previous compose file's services, in order)
const restoredLoaded = async (ctx: ModuleContext, nn: NetworkNodeApi, v: UpdateVars, prev: Previous): Promise<string | undefined> => {
  for (const [index, n] of prev.nodes.entries()) {
    const c: MlNodeChange = { file: MLNODE_COMPOSE, service: `mlnode-${index + 1}`, from: '', to: '', node_id: n.id, index };
    const load = await waitLoaded(ctx, nn.ctx, v, c, false);
    if (!load.loaded) return `${n.id}: ${load.reason}`;
  }
  return undefined;
};

const describe = (t: StackTarget): string =>
  `${t.move.files.join(', ')}${t.move.model ? `; ML nodes ${t.move.model.from.join(', ') || '(none)'} → ${t.move.model.to}` : ''}`;

/**
 * Move one host to today's stack in the safe window: disable its ML nodes, write today's files (keeping the previous
 * ones), recreate what changed and start the new services, put today's model on its ML nodes in the admin API, wait
 * for every service and the model, enable. Anything that does not come up healthy puts the previous stack back.
 * Check mode: the files' diffs and the plan, nothing touched.
 */
export const moveStack = async (ctx: ModuleContext, v: UpdateVars, t: StackTarget, ownIds: (nodes: AdminNode[]) => string[]): Promise<ModuleResult> => {
  if (ctx.check) {
    const diff: FileDiff[] = [];
    const failed = await writeTexts(ctx, t.deployment.deploy_dir, t.texts, diff);
    if (failed) return { changed: false, failed: true, msg: failed };
    return { changed: true, msg: `would move to today's stack in the safe window: ${describe(t)}`, diff };
  }
  const nn = await networkNode(ctx, v);
  const listed = (await adminNodes(nn.ctx, v)) ?? [];
  const previousIds = t.deployment.topology.ml ? ownIds(listed) : [];
  const prev: Previous = { texts: t.deployed, nodes: listed.filter((n) => previousIds.includes(n.node.id)).flatMap((n) => entryOf(n) ?? []) };
  const window = await waitSafeWindow(nn.ctx, v, previousIds[0] ?? t.entries[0]?.id ?? '');
  if (!window)
    return {
      changed: false,
      failed: true,
      msg: `no safe window (Inference phase, no Confirmation PoC, ${v.update_poc_margin_blocks} blocks before the next PoC) within ${v.update_window_timeout} s`,
    };
  for (const id of previousIds) {
    const failed = await setEnabled(nn.ctx, v, id, false);
    if (failed) return { changed: false, failed: true, msg: failed };
  }
  const after = { ...t.deployed, ...t.texts };
  const diff: FileDiff[] = [];
  const failure =
    (await writeTexts(ctx, t.deployment.deploy_dir, t.texts, diff)) ??
    (await recreate(ctx, t.deployment, t.deployed, after)) ??
    (t.deployment.topology.ml ? await registerNodes(nn.ctx, v, t.entries.map(adminEntryOf), [...previousIds, ...t.entries.map((e) => e.id)]) : undefined) ??
    (await healthy(ctx, nn, v, t, after));
  if (failure) return rollBack(ctx, nn, v, t, prev, failure);
  return { changed: true, msg: `moved to today's stack: ${describe(t)}; healthy, ML nodes enabled${windowCaveat(window)}`, window, diff };
};
