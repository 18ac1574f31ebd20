import { notDeployed } from '../../lib/gonka/deployed.js';
import { defineRole } from '../../lib/roles/role.js';
import { pruneBackups } from './prune.js';
import { diskUsage } from './usage.js';
import { DiskVarsSchema } from './vars.js';

/**
 * The chain's disk: Cosmovisor's data-backup-* dirs (pruned to the newest N, only with prune_data_backups=true,
 * nothing else ever deleted) and application.db (its size, its growth since the last upgrade's backup, the
 * pruning settings that keep it small).
 */
export default defineRole({
  name: 'disk',
  vars: DiskVarsSchema,
  tasks: [
    {
      name: 'Chain data disk usage',
      check_mode: false,
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        return diskUsage(ctx, v);
      },
    },
    { name: 'Prune Cosmovisor data-backup dirs to the newest', run: pruneBackups },
  ],
});
