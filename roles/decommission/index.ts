import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../../lib/gonka/deploy-files.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { planDecommission, planFacts } from './plan.js';
import { DecommissionVarsSchema, type DecommissionVars } from './vars.js';
import { networkNodeDone, runningServices, verifyStopped, waitForNodesOut } from './wait.js';

const task = roleTasks(DecommissionVarsSchema, { gonka_admin_node: gonkaAdminNodeModule, compose_service: composeServiceModule });

const retire = (v: DecommissionVars): boolean => v.decommission_stage === 'retire';
const stopping = (v: DecommissionVars): boolean => v.decommission_stage !== 'retire';
const toStop = (v: DecommissionVars): boolean => stopping(v) && v.decommission_running.length > 0;
const files = (v: DecommissionVars) =>
  v.decommission_stage === 'stop_network' ? { files: [NETWORK_COMPOSE], env_file: CONFIG_ENV } : { files: [MLNODE_COMPOSE] };

/**
 * Safe decommission (reference gonka-operations.md §11), one stage per play of playbooks/decommission.yml: retire
 * (on the network node: plan, refuse without decommission=true and backup_taken=true, disable every ML node, wait
 * until the epoch's participants no longer hold them), stop_ml (each ML server, once its network node retired its
 * nodes), stop_network (the network node's services). Containers are stopped, never removed; files stay.
 */
export default defineRole({
  name: 'decommission',
  vars: DecommissionVarsSchema,
  tasks: [
    { name: 'Plan the decommission', when: retire, check_mode: false, facts: planFacts, invalidates: [], run: planDecommission },
    task.gonka_admin_node({ name: 'Disable every ML node', when: (v) => retire(v) && (v.decommission_plan?.node_ids.length ?? 0) > 0 }, (v) => ({
      admin_url: v.gonka_admin_url,
      nodes: v.decommission_plan!.node_ids.map((id) => ({ id })),
      enabled: false,
    })),
    { name: "Wait until the epoch's participants no longer hold the ML nodes", when: retire, invalidates: [], run: waitForNodesOut },
    {
      name: 'The ML nodes are out of the epoch',
      when: (v) => stopping(v) && !v.ansible_check_mode,
      check_mode: false,
      invalidates: [],
      run: async (_ctx, v) => networkNodeDone(v),
    },
    { name: 'Services running here', when: stopping, check_mode: false, invalidates: [], run: runningServices },
    task.compose_service({ name: 'Stop the services', when: toStop }, (v) => ({
      project_dir: v.gonka_deploy_dir,
      ...files(v),
      services: v.decommission_running,
      state: 'stopped',
    })),
    { name: 'Verify nothing runs', when: (v) => stopping(v) && !v.ansible_check_mode, invalidates: [], run: verifyStopped },
  ],
});
