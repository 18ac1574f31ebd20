import { httpGet } from '../../lib/facts/builtin/http.js';
import { request } from '../../lib/facts/fact.js';
import { adminEntryOf, adminNodesRequest, localAdminUrl } from '../../lib/gonka/admin-api.js';
import { mlServerEntries } from '../../lib/gonka/build-deployment.js';
import { consensusKey, publishConsensusKey } from '../../lib/gonka/consensus-key.js';
import { chainServices, mlImages, mlProject, mlServices, networkImages, networkProject } from '../../lib/gonka/deployment-project.js';
import { gonkaAdminNodeModule } from '../../lib/gonka/modules/admin-node.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { dockerImageModule } from '../../lib/gonka/modules/docker-image.js';
import { hfModelModule } from '../../lib/gonka/modules/hf-model.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { waitForAdminApi } from './admin-api-wait.js';
import { healthChecks, healthRequests } from './health.js';
import { DeployVarsSchema, hasMl, hasNetwork, mlOnly, type DeployVars } from './vars.js';
import { mlNodeRequests, waitForMlNodes } from './wait-mlnodes.js';
import { rpcStatusFact, waitForSync } from './wait-sync.js';

const task = roleTasks(DeployVarsSchema, {
  docker_image: dockerImageModule,
  compose_service: composeServiceModule,
  hf_model: hfModelModule,
  gonka_admin_node: gonkaAdminNodeModule,
});

const modelOf = (v: DeployVars): string => {
  if (!v.gpu_recommendation) throw new Error("variable 'gpu_recommendation' is missing: run the gpu-detect role first");
  return v.gpu_recommendation.model;
};

// the admin API is bound to the network node's own addresses: an ML-only server's calls to it are made there
const onNetworkNode = (v: DeployVars): string | undefined => (mlOnly(v) ? v.network_node : undefined);

/**
 * The rendered deployment, running: images pulled, the chain side started in dependency order and synced,
 * the model's weights in HF_HOME, the ML nodes serving, then health checks. A healthy node is left untouched.
 */
export default defineRole({
  name: 'deploy',
  vars: DeployVarsSchema,
  tasks: [
    task.docker_image({ name: 'Pull the network node images', when: hasNetwork }, (v) => ({ ...networkProject(v.gonka), images: networkImages(v.gonka) })),
    task.docker_image({ name: 'Pull the ML node images', when: hasMl }, (v) => ({ ...mlProject(v.gonka), images: mlImages(v.gonka) })),
    task.compose_service({ name: 'Start the chain side (tmkms, node, api, proxy)', when: hasNetwork }, (v) => ({
      ...networkProject(v.gonka),
      services: chainServices(v.gonka),
      one_by_one: true,
    })),
    {
      name: 'Consensus key',
      when: hasNetwork,
      facts: (v) => [request(consensusKey, v.gonka.deploy_dir)],
      invalidates: [],
      run: (ctx, v) => publishConsensusKey(ctx, v.gonka.deploy_dir, v.tmkms_key_timeout),
    },
    { name: 'Wait for the chain to sync', when: hasNetwork, facts: (v) => [rpcStatusFact(v)], invalidates: [], run: waitForSync },
    task.hf_model({ name: 'Model weights in HF_HOME', when: hasMl }, (v) => ({
      model: modelOf(v),
      hf_home: v.gonka.hf_home,
      hf_token: v.hf_token,
      timeout: v.weights_timeout,
    })),
    task.compose_service({ name: 'Start the ML nodes', when: hasMl }, (v) => ({ ...mlProject(v.gonka), services: mlServices(v.gonka) })),
    {
      name: "Wait for the network node's admin API",
      when: mlOnly,
      delegate_to: onNetworkNode,
      facts: (v) => [request(httpGet, adminNodesRequest(localAdminUrl(v.gonka.ports.admin)))],
      invalidates: [],
      run: waitForAdminApi,
    },
    // without them the network node's api never loads their model, e.g. when only this server is set up again
    // (--limit) after it was unreachable while its network node's node-config was rendered
    task.gonka_admin_node({ name: "This server's ML nodes in its network node's admin API", when: mlOnly, delegate_to: onNetworkNode }, (v) => ({
      admin_url: localAdminUrl(v.gonka.ports.admin),
      nodes: mlServerEntries(v.inventory_hostname, (name) => new Map(Object.entries(v)).get(name)).map(adminEntryOf),
    })),
    { name: 'Wait for the ML nodes to load the model', when: hasMl, facts: (v) => mlNodeRequests(v.gonka), invalidates: [], run: waitForMlNodes },
    { name: 'Health checks', facts: healthRequests, invalidates: [], run: healthChecks },
  ],
});
