import { cpuFlags } from '../../lib/facts/builtin/cpu-flags.js';
import { request } from '../../lib/facts/fact.js';
import { ADX_CAUSE, adxFixes, adxOf } from '../../lib/gonka/cpu-adx.js';
import { topologyOf } from '../../lib/gonka/topology.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { PreflightVars } from './vars.js';

/** The result of the check for a host: what it is, its CPU's flags, and whether the operator allowed a CPU without ADX. */
export const cpuVerdict = (v: Pick<PreflightVars, 'group_names' | 'preflight_allow_cpu_without_adx'>, flags: readonly string[]) => {
  const adx = adxOf(flags);
  if (adx === 'present') return { changed: false, msg: 'the CPU has ADX' };
  // no x86 flags line: not an x86_64 host, which the OS check refuses
  if (adx === 'unknown') return { changed: false, msg: 'no x86 CPU flags in /proc/cpuinfo (the OS check covers the architecture)' };
  if (v.preflight_allow_cpu_without_adx) return { changed: false, msg: 'the CPU lacks ADX; allowed by preflight_allow_cpu_without_adx' };
  return {
    changed: false,
    failed: true,
    msg: `the CPU lacks ADX (no adx in /proc/cpuinfo flags): ${ADX_CAUSE}. ${adxFixes('preflight_allow_cpu_without_adx')}`,
  };
};

const isNetworkNode = (v: PreflightVars) => topologyOf(v.group_names).network;

/** A network node's CPU has ADX; ML-only hosts run the portable images only, so theirs is not checked. */
export const cpuCheck: Precondition<PreflightVars> = {
  name: 'CPU features for the chain binaries',
  facts: (v) => (isNetworkNode(v) ? [request(cpuFlags, undefined)] : []),
  invalidates: [],
  run: async (ctx, v) => {
    if (!isNetworkNode(v)) return { changed: false, skipped: true, msg: 'not a network node: the ML node images are portable' };
    return cpuVerdict(v, await ctx.facts.read(cpuFlags, undefined));
  },
};
