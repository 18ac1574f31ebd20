import { mlServerEntries } from '../../lib/gonka/build-deployment.js';
import type { NodeConfigEntry } from '../../lib/gonka/deployment.js';
import { DeploymentVariableError } from '../../lib/gonka/deployment-variable-error.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { syncAdminNodes } from '../../lib/gonka/admin-node-sync.js';
import { listAdminNodes } from '../../lib/gonka/admin-nodes-request.js';
import { sleep } from '../../lib/gonka/poll.js';
import type { DeployVars } from './vars.js';

/** An ML-only server: its ML nodes are driven by another server's api. */
export const mlOnly = (v: DeployVars): boolean => v.gonka.topology.ml && !v.gonka.topology.network;

// the network node's api starts in the same run, on its own schedule: wait for it as the model load would
const adminAnswers = async (ctx: ModuleContext, v: DeployVars): Promise<boolean> => {
  const deadline = Date.now() + v.model_load_timeout * 1000;
  for (;;) {
    if ((await listAdminNodes(ctx, v.gonka.ports.admin)) !== undefined) return true;
    if (ctx.check || Date.now() >= deadline) return false;
    ctx.progress(`waiting for the admin API on ${ctx.hostname} (127.0.0.1:${v.gonka.ports.admin})`);
    await sleep(v.model_poll_seconds);
  }
};

/**
 * This ML server's nodes in its network node's admin API, enabled (the task is delegated to the network node,
 * where the admin API is bound): without them the network node's api never loads their model, e.g. when only
 * this server is set up again (`--limit`) after it was unreachable while its network node's node-config was rendered.
 */
export const addOwnMlNodes = async (ctx: ModuleContext, v: DeployVars): Promise<ModuleResult> => {
  let entries: NodeConfigEntry[];
  try {
    entries = mlServerEntries(v.inventory_hostname, (name) => ctx.vars[name]);
  } catch (e) {
    if (e instanceof DeploymentVariableError) return { changed: false, failed: true, msg: e.message };
    throw e;
  }
  if (!(await adminAnswers(ctx, v)) && !ctx.check) {
    return {
      changed: false,
      failed: true,
      msg: `the admin API on ${ctx.hostname} (127.0.0.1:${v.gonka.ports.admin}) does not answer within model_load_timeout (${v.model_load_timeout} s): is its api running (setup.yml on ${ctx.hostname})?`,
    };
  }
  return syncAdminNodes(ctx, v.gonka.ports.admin, entries);
};
