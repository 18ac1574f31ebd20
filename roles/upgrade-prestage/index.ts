import { cpuFlags } from '../../lib/facts/builtin/cpu-flags.js';
import { fileChecksum } from '../../lib/facts/builtin/file-checksum.js';
import { request } from '../../lib/facts/fact.js';
import { notDeployed } from '../../lib/gonka/deployed.js';
import { defineRole } from '../../lib/roles/role.js';
import { cpuVerdictFor } from './cpu.js';
import { choosePlan, planFacts } from './plan.js';
import { stageBinaries, stageFacts } from './stage.js';
import { UpgradePrestageVarsSchema, type UpgradePrestageVars } from './vars.js';

const planned = (v: UpgradePrestageVars): boolean => (v.upgrade_prestage_binaries?.length ?? 0) > 0;

/**
 * Pre-stage a chain upgrade (reference §16): from the approved governance proposal (or `upgrade=NAME`), both
 * binaries downloaded ahead of the halt into Cosmovisor's upgrades/<name>/bin/, the zips' and the binaries' sha256
 * verified before anything is placed, the CPU checked for what the binaries need (ADX from v0.2.16-post1 on).
 */
export default defineRole({
  name: 'upgrade-prestage',
  vars: UpgradePrestageVarsSchema,
  tasks: [
    {
      name: 'Approved upgrade and its binaries',
      check_mode: false,
      facts: planFacts,
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        return choosePlan(ctx, v);
      },
    },
    {
      name: 'The CPU runs the upgrade binaries',
      when: planned,
      check_mode: false,
      facts: () => [request(cpuFlags, undefined)],
      invalidates: [],
      run: async (ctx, v) => {
        const verdict = cpuVerdictFor(v.upgrade_prestage_binaries ?? [], await ctx.facts.read(cpuFlags, undefined), v.upgrade_allow_cpu_without_adx);
        return { changed: false, failed: !verdict.ok, msg: verdict.msg };
      },
    },
    {
      name: 'Upgrade binaries in place (sha256 verified)',
      when: planned,
      facts: stageFacts,
      invalidates: [{ fact: fileChecksum }],
      run: stageBinaries,
    },
  ],
});
