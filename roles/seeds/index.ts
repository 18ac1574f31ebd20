import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { SEED_VARIABLES } from '../../lib/gonka/seed-endpoints.js';
import { lineinfileModule } from '../../lib/modules/builtin/lineinfile.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { shellFileValue } from '../../lib/template/file-quoting.js';
import { planSeeds, seedPlanFacts } from './plan.js';
import { removeChainData, resetNeeded, verifySeeds } from './reset.js';
import { SeedsVarsSchema, type SeedsVars } from './vars.js';

const task = roleTasks(SeedsVarsSchema, { lineinfile: lineinfileModule, compose_service: composeServiceModule });

const planned = (v: SeedsVars): boolean => v.seeds_plan !== undefined;

// config.env holds the keyring password: its diff stays hidden
const setVariable = (name: (typeof SEED_VARIABLES)[number]) =>
  task.lineinfile({ name: `config.env ${name}`, when: planned }, (v) => ({
    path: `${v.gonka_deploy_dir}/${CONFIG_ENV}`,
    regexp: `^export ${name}=`,
    line: `export ${name}=${shellFileValue(v.seeds_plan!.endpoints[name])}`,
    secret: true,
  }));

const node = (v: SeedsVars) => ({ project_dir: v.gonka_deploy_dir, files: ['docker-compose.yml'], env_file: CONFIG_ENV, services: ['node'] });

/**
 * Switch a node's seed (reference gonka-operations.md §13): the seed's /chain-rpc/status must answer for this
 * node's chain; config.env gets SEED_API_URL, SEED_NODE_RPC_URL (`<seed>/chain-rpc/`) and SEED_NODE_P2P_URL (the
 * seed's host, its listen_addr's port). An initialised node reads seeds only at init: with reset_chain_data=true
 * its chain data and init marker are removed and it initialises again from the new seed, verified in config.toml.
 */
export default defineRole({
  name: 'seeds',
  vars: SeedsVarsSchema,
  tasks: [
    { name: 'Plan the seed switch', check_mode: false, facts: seedPlanFacts, invalidates: [], run: planSeeds },
    ...SEED_VARIABLES.map(setVariable),
    task.compose_service({ name: 'Stop the node', when: resetNeeded }, (v) => ({ ...node(v), state: 'stopped' })),
    { name: 'Remove the chain data and the init marker', when: resetNeeded, run: removeChainData },
    task.compose_service({ name: 'Start the node on the new seed', when: resetNeeded }, (v) => ({ ...node(v), state: 'recreated' })),
    { name: 'Verify the seed on the host', when: (v, ctx) => planned(v) && !ctx.check, invalidates: [], run: verifySeeds },
  ],
});
