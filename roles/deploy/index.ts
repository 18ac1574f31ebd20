import type { ModuleContext } from '../../lib/modules/module.js';
import { defineRole } from '../../lib/roles/role.js';
import { publishConsensusKey, readConsensusKey } from '../../lib/gonka/consensus-key.js';
import { healthChecks } from './health.js';
import { pullImages } from './images.js';
import { ensureModelWeights } from './model-weights.js';
import { startChainSide, startMlNodes } from './start-services.js';
import { DeployVarsSchema, type DeployVars } from './vars.js';
import { sleep } from '../../lib/gonka/poll.js';
import { addOwnMlNodes, mlOnly } from './own-ml-nodes.js';
import { waitForMlNodes } from './wait-mlnodes.js';
import { waitForSync } from './wait-sync.js';

const network = (v: DeployVars) => v.gonka.topology.network;
const ml = (v: DeployVars) => v.gonka.topology.ml;

// tmkms writes the consensus key on its first start, a moment after the container starts
const consensusKey = async (ctx: ModuleContext, v: DeployVars) => {
  for (let i = 0; i < 30 && !ctx.check && !(await readConsensusKey(ctx, v.gonka_deploy_dir)); i++) await sleep(1);
  const res = await publishConsensusKey(ctx, v);
  return ctx.check && res.failed ? { changed: false, skipped: true, msg: 'tmkms has not generated the consensus key yet (check mode)' } : res;
};

/**
 * The rendered deployment, running: images pulled, the chain side started in dependency order and synced,
 * the model's weights in HF_HOME, the ML nodes serving, then health checks. A healthy node is left untouched.
 */
export default defineRole({
  name: 'deploy',
  vars: DeployVarsSchema,
  tasks: [
    { name: 'Pull images', run: (ctx, v) => pullImages(ctx, v.gonka) },
    { name: 'Start the chain side (tmkms, node, api, proxy)', when: network, run: (ctx, v) => startChainSide(ctx, v.gonka) },
    { name: 'Consensus key', when: network, run: consensusKey },
    { name: 'Wait for the chain to sync', when: network, run: waitForSync },
    { name: 'Model weights in HF_HOME', when: ml, run: ensureModelWeights },
    { name: 'Start the ML nodes', when: ml, run: (ctx, v) => startMlNodes(ctx, v.gonka) },
    // the admin API is bound to the network node's own addresses: the calls are made there
    {
      name: "This server's ML nodes in its network node's admin API",
      when: mlOnly,
      delegate_to: (v) => (mlOnly(v) ? v.network_node : undefined),
      run: addOwnMlNodes,
    },
    { name: 'Wait for the ML nodes to load the model', when: ml, run: waitForMlNodes },
    { name: 'Health checks', run: (ctx, v) => healthChecks(ctx, v.gonka) },
  ],
});
