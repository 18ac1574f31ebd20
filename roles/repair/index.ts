import type { ModuleContext } from '../../lib/modules/module.js';
import { defineRole } from '../../lib/roles/role.js';
import { takeRunLock } from '../../lib/cron/run-lock-task.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import { diagnose, type Diagnosis } from './diagnose.js';
import { diagnosesOf, pendingUpgrade, placeUpgradeBinaries, pruneDataBackups, reenableRecovered, restartDownContainers, restartPastUpgrade } from './fixes.js';
import { RepairVarsSchema } from './vars.js';

const has = (ctx: ModuleContext, kind: Diagnosis['kind']): boolean => diagnosesOf(ctx).some((d) => d.kind === kind);

/**
 * Diagnose a Gonka server (each finding with its evidence), then fix what is safe to fix: a chain halted at an
 * upgrade (verified binaries into Cosmovisor's upgrade dir, restart, height moves on), containers that are down,
 * a disk filling with Cosmovisor backups, ML nodes that recovered from FAILED.
 */
export default defineRole({
  name: 'repair',
  vars: RepairVarsSchema,
  tasks: [
    { name: 'Take the day-2 run lock', run: (ctx, v) => takeRunLock(ctx, v.nop_lock_file) },
    {
      name: 'Diagnose',
      check_mode: false,
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        const found = await diagnose(ctx, v);
        const msg = found.length ? found.map((d) => `${d.kind}: ${d.evidence}`).join('\n') : 'healthy: nothing to repair';
        return { changed: false, msg, diagnoses: found, ansible_facts: { repair_diagnoses: found } };
      },
    },
    { name: 'Place the upgrade binaries (sha256 verified)', when: (_v, ctx) => pendingUpgrade(ctx) !== undefined, run: placeUpgradeBinaries },
    { name: 'Restart node and api past the upgrade height', when: (_v, ctx) => pendingUpgrade(ctx) !== undefined, run: restartPastUpgrade },
    { name: 'Restart containers that are down', when: (_v, ctx) => has(ctx, 'container_down'), run: restartDownContainers },
    { name: 'Prune old data-backup dirs', when: (_v, ctx) => has(ctx, 'disk_low'), run: pruneDataBackups },
    { name: 'Re-enable recovered ML nodes', when: (_v, ctx) => has(ctx, 'mlnode_failed'), run: reenableRecovered },
  ],
});
