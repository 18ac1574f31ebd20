import { takeRunLock } from '../../lib/cron/run-lock-task.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import { defineRole } from '../../lib/roles/role.js';
import { diagnose, diagnosisFacts } from './diagnose.js';
import type { Diagnosis } from './diagnosis.js';
import { pendingUpgrade, placeUpgradeBinaries, pruneDataBackups, reenableRecovered, restartDownContainers, restartPastUpgrade } from './fixes.js';
import { RepairVarsSchema, type RepairVars } from './vars.js';

const has = (v: RepairVars, kind: Diagnosis['kind']): boolean => v.repair_diagnoses.some((d) => d.kind === kind);

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
      facts: diagnosisFacts,
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        const found = await diagnose(ctx, v);
        const msg = found.length ? found.map((d) => `${d.kind}: ${d.evidence}`).join('\n') : 'healthy: nothing to repair';
        return { changed: false, msg, diagnoses: found, ansible_facts: { repair_diagnoses: found } };
      },
    },
    { name: 'Place the upgrade binaries (sha256 verified)', when: (v) => pendingUpgrade(v) !== undefined, run: placeUpgradeBinaries },
    { name: 'Restart node and api past the upgrade height', when: (v) => pendingUpgrade(v) !== undefined, run: restartPastUpgrade },
    { name: 'Restart containers that are down', when: (v) => has(v, 'container_down'), run: restartDownContainers },
    { name: 'Prune old data-backup dirs', when: (v) => has(v, 'disk_low'), run: pruneDataBackups },
    { name: 'Re-enable recovered ML nodes', when: (v) => has(v, 'mlnode_failed'), run: reenableRecovered },
  ],
});
