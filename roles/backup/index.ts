import { notDeployed } from '../../lib/gonka/deployed.js';
import { defineRole } from '../../lib/roles/role.js';
import { backupIdentity } from './archive.js';
import { BackupVarsSchema } from './vars.js';

/**
 * A network node's identity (tmkms consensus key, server keyring, node key, config.env with the keyring password;
 * optionally the api's config and database) in one archive on the control machine, encrypted with a passphrase
 * (scrypt + AES-256-GCM), written 0600, never holding the cold key.
 */
export default defineRole({
  name: 'backup',
  vars: BackupVarsSchema,
  tasks: [
    {
      name: 'Back up the node identity to an encrypted archive',
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        return backupIdentity(ctx, v);
      },
    },
  ],
});
