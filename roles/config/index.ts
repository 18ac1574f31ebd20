import { posix } from 'node:path';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { templateModule } from '../../lib/modules/builtin/template.js';
import { roleTasks, defineRole, type RoleTask } from '../../lib/roles/role.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE, NGINX_CONF, NODE_CONFIG } from '../../lib/gonka/deploy-files.js';
import { fingerprintFacts, readFingerprints } from './fingerprints.js';
import { recreateChanged } from './recreate.js';
import { deploymentSettings } from './settings.js';
import { ConfigRoleVarsSchema, type ConfigRoleVars } from './vars.js';

const task = roleTasks(ConfigRoleVarsSchema, { file: fileModule, template: templateModule });

const render = (file: string, on: 'network' | 'ml', extra: { mode: string; secret?: boolean }): RoleTask<ConfigRoleVars> =>
  task.template({ name: `Render ${file}`, when: (v) => v.gonka?.topology[on] === true, notify: [recreateChanged.name] }, (v) => ({
    src: `${file}.hbs`,
    dest: posix.join(v.gonka_deploy_dir, file),
    backup: true,
    ...extra,
  }));

/**
 * Gonka's deploy directory: config.env, the compose files, nginx.conf and node-config.json for this host's
 * place in the topology (network_nodes, ml_nodes or both), with internal ports never on a public interface.
 */
export default defineRole({
  name: 'config',
  vars: ConfigRoleVarsSchema,
  tasks: [
    // computed on the controller (no remote command): every value of the files, validated
    { name: 'Gonka deployment settings', run: deploymentSettings, check_mode: false, invalidates: [] },
    {
      name: 'Record the deployed configuration',
      check_mode: false,
      facts: (v) => fingerprintFacts(v.gonka),
      invalidates: [],
      run: async (ctx, v) => ({ changed: false, ansible_facts: { gonka_fingerprints_before: v.gonka ? await readFingerprints(ctx, v.gonka) : {} } }),
    },
    task.file({ name: 'Deploy directory' }, (v) => ({ path: v.gonka_deploy_dir, state: 'directory', mode: '0750' })),
    render(CONFIG_ENV, 'network', { mode: '0600', secret: true }),
    render(NODE_CONFIG, 'network', { mode: '0644' }),
    render(NETWORK_COMPOSE, 'network', { mode: '0644' }),
    render(NGINX_CONF, 'ml', { mode: '0644' }),
    render(MLNODE_COMPOSE, 'ml', { mode: '0644' }),
  ],
  handlers: [recreateChanged],
});
