import { takeRunLock } from '../../lib/cron/run-lock-task.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { defineRole } from '../../lib/roles/role.js';
import { updateMlNode } from './mlnode-update.js';
import { updateNetworkImages } from './network-images.js';
import { networkNode } from './network-node.js';
import { describePlan, planFacts, planUpdate, type ImageChange, type UpdatePlan } from './plan.js';
import { UpdateVarsSchema, type UpdateVars } from './vars.js';

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
export default defineRole({
  name: 'update',
  vars: UpdateVarsSchema,
  tasks: [
    { name: 'Take the day-2 run lock', run: (ctx, v) => takeRunLock(ctx, v.nop_lock_file) },
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
