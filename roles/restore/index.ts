import { CONFIG_ENV } from '../../lib/gonka/deploy-files.js';
import { composeServiceModule } from '../../lib/gonka/modules/compose-service.js';
import { defineRole, roleTasks } from '../../lib/roles/role.js';
import { verifyIdentity } from './verify.js';
import { RestoreVarsSchema } from './vars.js';
import { restoreIdentity } from './write-identity.js';

const task = roleTasks(RestoreVarsSchema, { compose_service: composeServiceModule });

/**
 * A backup.yml archive onto a (new) server: opened and checked on the control machine before anything is written,
 * refused unless the old server is stopped for good, the files written with their modes, tmkms, node and api
 * restarted on them, and the node id and consensus key verified unchanged at /status.
 */
export default defineRole({
  name: 'restore',
  vars: RestoreVarsSchema,
  tasks: [
    { name: 'Restore the node identity from the archive', run: restoreIdentity },
    task.compose_service({ name: 'Restart tmkms, node and api on the restored identity', when: (v) => v.restore_written }, (v) => ({
      project_dir: v.gonka_deploy_dir,
      files: ['docker-compose.yml'],
      env_file: CONFIG_ENV,
      services: ['tmkms', 'node', 'api'],
      state: 'recreated',
      one_by_one: true,
    })),
    { name: 'Verify the node id and consensus key', invalidates: [], run: verifyIdentity },
  ],
});
