import { takeRunLock } from '../../lib/cron/run-lock-task.js';
import { composeFiles, notDeployed, nothingDeployed } from '../../lib/gonka/deployed.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { defineRole, type Precondition } from '../../lib/roles/role.js';
import { updateMlNode } from './mlnode-update.js';
import { updateNetworkImages } from './network-images.js';
import { networkNode } from './network-node.js';
import { describePlan, planFacts, planUpdate, type ImageChange, type UpdatePlan } from './plan.js';
import { moveStack } from './stack-move.js';
import { describeStackMove } from './stack-plan.js';
import { ownIds, stackTarget } from './stack-target.js';
import { UpdateVarsSchema, type UpdateVars } from './vars.js';
import { hfModelModule } from '../../lib/gonka/modules/hf-model.js';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { request } from '../../lib/facts/fact.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE, NGINX_CONF, NODE_CONFIG } from '../../lib/gonka/deploy-files.js';
import { NETWORK_GROUP } from '../../lib/gonka/topology.js';
import { posix } from 'node:path';

const stackFacts = (v: UpdateVars) =>
  [CONFIG_ENV, NODE_CONFIG, NETWORK_COMPOSE, NGINX_CONF, MLNODE_COMPOSE].map((f) => request(fileContent, posix.join(v.gonka_deploy_dir, f)));

// a network node that moves records a choice for every live PoC model it will not serve (the participation role, after
// the move): without one the move does not start, as setup.yml would not register such a node
const PARTICIPATION_MISSING =
  "variable 'poc_participation' is not set: a node moving to today's stack records a choice for every live PoC model it does " +
  'not serve (refuse, or the gonka1… address of a participant to delegate to; a map model_id → choice decides per model)';

const isNetworkNode = (ctx: ModuleContext): boolean => ((ctx.vars.group_names as string[] | undefined) ?? []).includes(NETWORK_GROUP);

const planStack = async (ctx: ModuleContext, v: UpdateVars): Promise<ModuleResult> => {
  const missing = await notDeployed(ctx, v.gonka_deploy_dir);
  if (missing) return { changed: false, failed: true, msg: missing };
  const target = await stackTarget(ctx, v);
  if ('error' in target) return { changed: false, failed: true, msg: target.error };
  const moving = target.move.files.length > 0;
  if (moving && isNetworkNode(ctx) && ctx.vars.poc_participation === undefined) return { changed: false, failed: true, msg: PARTICIPATION_MISSING };
  // what the participation role reads after the move: today's deployment, the cold key and the keyring password
  const participation =
    moving && isNetworkNode(ctx)
      ? { gonka: target.deployment, account_pubkey: target.identity.account_pubkey, gonka_keyring_password: target.identity.keyring_password }
      : {};
  return {
    changed: false,
    msg: describeStackMove(target.move),
    differences: target.move.differences,
    ansible_facts: { stack_move: target.move, ...participation },
  };
};

const moveToToday = async (ctx: ModuleContext, v: UpdateVars): Promise<ModuleResult> => {
  const target = await stackTarget(ctx, v);
  if ('error' in target) return { changed: false, failed: true, msg: target.error };
  return moveStack(ctx, v, target, ownIds(v));
};

const EMPTY: UpdatePlan = { mlnodes: [], network: [], unchanged: [] };
const planOf = (v: UpdateVars): UpdatePlan => v.update_plan ?? EMPTY;

const wouldUpdate = (changes: ImageChange[]): ModuleResult => ({
  changed: true,
  msg: `would update ${changes.map((c) => `${c.service} ${c.from} → ${c.to}`).join('; ')}`,
});

const updateMlNodes = async (ctx: ModuleContext, v: UpdateVars): Promise<ModuleResult> => {
  const { mlnodes } = planOf(v);
  if (ctx.check) return wouldUpdate(mlnodes);
  const nn = await networkNode(ctx, v);
  const done: string[] = [];
  for (const change of mlnodes) {
    const res = await updateMlNode(ctx, nn.ctx, v, change);
    if (res.failed) return { ...res, updated: done };
    done.push(String(res.msg));
  }
  return { changed: true, msg: done.join('; '), updated: done, ...(nn.remote ? { admin_api_via: nn.host } : {}) };
};

/**
 * A safe rolling update of the ML nodes (and the network node's tmkms, proxy and explorer images) to the
 * pinned versions. Node and api binaries are left to Cosmovisor. The playbook runs it `serial: 1` with
 * `max_fail_percentage: 0`, so the first failed host stops the rollout.
 */
// a bare server has nothing to update: said before any play runs (gpu-detect's sizing would otherwise fail first,
// naming the driver, when the operator's mistake is the missing deployment)
const somethingDeployed: Precondition<UpdateVars> = {
  name: 'A deployment to update',
  facts: (v) => composeFiles(v.gonka_deploy_dir).map((p) => request(fileContent, p)),
  invalidates: [],
  run: async (ctx, v) => {
    const found = await Promise.all(composeFiles(v.gonka_deploy_dir).map((p) => ctx.facts.read(fileContent, p)));
    if (found.some((content) => content !== null)) return { changed: false };
    return { changed: false, failed: true, msg: nothingDeployed(ctx.hostname, v.gonka_deploy_dir) };
  },
};

export default defineRole({
  name: 'update',
  vars: UpdateVarsSchema,
  preconditions: [somethingDeployed],
  tasks: [
    { name: 'Take the day-2 run lock', run: (ctx, v) => takeRunLock(ctx, v.nop_lock_file) },
    { name: "Plan the move to today's stack", when: (v) => v.update_stack, check_mode: false, facts: stackFacts, invalidates: [], run: planStack },
    {
      name: "Pre-download today's model weights",
      when: (v) => v.stack_move?.model !== undefined,
      run: (ctx, v) =>
        ctx.call(hfModelModule, { model: v.stack_move!.model!.to, hf_home: v.stack_move!.hf_home!, hf_token: v.hf_token, timeout: v.weights_timeout }),
    },
    { name: "Move to today's stack in the safe window", when: (v) => (v.stack_move?.files.length ?? 0) > 0, run: moveToToday },
    {
      name: 'Plan the update',
      check_mode: false,
      facts: planFacts,
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        const plan = await planUpdate(ctx, v, await networkNode(ctx, v));
        if ('error' in plan) return { changed: false, failed: true, msg: plan.error };
        return { changed: false, msg: describePlan(plan), plan, ansible_facts: { update_plan: plan } };
      },
    },
    { name: 'Update the ML nodes one by one', when: (v) => planOf(v).mlnodes.length > 0, run: updateMlNodes },
    {
      name: 'Update the network node images',
      when: (v) => planOf(v).network.length > 0,
      run: (ctx, v) => (ctx.check ? Promise.resolve(wouldUpdate(planOf(v).network)) : updateNetworkImages(ctx, v, planOf(v).network)),
    },
  ],
});
