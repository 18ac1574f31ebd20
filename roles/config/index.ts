import { posix } from 'node:path';
import { ConfigVarsSchema, type ConfigVars } from '../../lib/gonka/config-vars.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { fileModule } from '../../lib/modules/builtin/file.js';
import { templateModule } from '../../lib/modules/builtin/template.js';
import { roleTasks, defineRole, type RoleTask } from '../../lib/roles/role.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE, NGINX_CONF, NODE_CONFIG } from '../../lib/gonka/deploy-files.js';
import { readFingerprints } from './fingerprints.js';
import { recreateChanged } from './recreate.js';
import { deploymentSettings } from './settings.js';

const task = roleTasks(ConfigVarsSchema, { file: fileModule, template: templateModule });

const RECREATE = 'recreate gonka containers';

const deployment = (ctx: ModuleContext): Deployment => ctx.vars.gonka as Deployment;

const render = (file: string, on: 'network' | 'ml', extra: { mode: string; secret?: boolean }): RoleTask<ConfigVars> =>
  task.template({ name: `Render ${file}`, when: (_v, ctx) => deployment(ctx).topology[on], notify: [RECREATE] }, (v) => ({
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
  vars: ConfigVarsSchema,
  tasks: [
    { name: 'Gonka deployment settings', run: deploymentSettings, check_mode: false },
    {
      name: 'Record the deployed configuration',
      check_mode: false,
      run: async (ctx) => ({ changed: false, ansible_facts: { gonka_fingerprints_before: await readFingerprints(ctx, deployment(ctx)) } }),
    },
    task.file({ name: 'Deploy directory' }, (v) => ({ path: v.gonka_deploy_dir, state: 'directory', mode: '0750' })),
    render(CONFIG_ENV, 'network', { mode: '0600', secret: true }),
    render(NODE_CONFIG, 'network', { mode: '0644' }),
    render(NETWORK_COMPOSE, 'network', { mode: '0644' }),
    render(NGINX_CONF, 'ml', { mode: '0644' }),
    render(MLNODE_COMPOSE, 'ml', { mode: '0644' }),
  ],
  handlers: [{ name: RECREATE, run: (ctx) => recreateChanged(ctx) }],
});
