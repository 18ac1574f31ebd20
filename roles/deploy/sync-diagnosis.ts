import type { Deployment } from '../../lib/gonka/deployment.js';
import { networkProject } from '../../lib/gonka/deployment-project.js';
import { lastLines } from '../../lib/gonka/last-lines.js';
import { serviceLogs } from '../../lib/gonka/service-logs.js';
import { projectOf } from '../../lib/gonka/modules/project-args.js';
import type { ModuleContext } from '../../lib/modules/module.js';

// Cosmovisor's x/upgrade halt: `UPGRADE "v0.2.5" NEEDED at height: 1234567: {...}`
const UPGRADE_NEEDED = /UPGRADE "([^"]+)" NEEDED at height: (\d+)/;

/** Why the node's height stopped moving, from its own log: a missing upgrade, or the last lines to read. */
export const diagnoseStuckSync = async (ctx: ModuleContext, d: Deployment, height: number | undefined, seconds: number): Promise<string> => {
  const logs = await serviceLogs(ctx, projectOf(networkProject(d)), 'node');
  const at = height === undefined ? 'the node RPC stopped answering' : `the height stayed at ${height}`;
  const upgrade = [...logs.matchAll(new RegExp(UPGRADE_NEEDED, 'g'))].at(-1);
  if (upgrade) {
    return `chain sync is stuck (${at} for ${seconds} s): the node halted at height ${upgrade[2]} for upgrade "${upgrade[1]}", whose binary is missing. Run playbooks/repair.yml (it installs the upgrade's checksum-verified binaries into .inference/cosmovisor/upgrades/${upgrade[1]}/bin and restarts the node)`;
  }
  const tail = lastLines(logs, 10);
  return `chain sync is stuck (${at} for ${seconds} s); the node's last log lines:\n${tail || '(no logs: docker compose -f docker-compose.yml logs node)'}`;
};
