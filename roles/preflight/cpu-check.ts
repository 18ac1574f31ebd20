import { cpuFlags } from '../../lib/facts/builtin/cpu-flags.js';
import { request } from '../../lib/facts/fact.js';
import { topologyOf } from '../../lib/gonka/topology.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { PreflightVars } from './vars.js';

// the upgrade binaries Cosmovisor downloads (v0.2.16-post1 on) are built without portable BLST: on a CPU without
// ADX they die with SIGILL in blst_cgo_init (gonka-interfaces.md); the container images are portable
const CAUSE =
  "the chain's upgrade binaries from v0.2.16-post1 on are built for CPUs with ADX and crash with SIGILL (blst_cgo_init) without it, so this network node would stop at the next upgrade height, when Cosmovisor switches to the downloaded binary";
const FIXES =
  "Run the network node on a CPU with ADX (Intel Broadwell or later, AMD Zen or later); in a VM, pass the host's CPU model through (libvirt <cpu mode='host-passthrough'/>, QEMU -cpu host) instead of a generic one such as qemu64 or kvm64. If you build portable binaries yourself, set preflight_allow_cpu_without_adx: true";

/** The result of the check for a host: what it is, its CPU's flags, and whether the operator allowed a CPU without ADX. */
export const cpuVerdict = (v: Pick<PreflightVars, 'group_names' | 'preflight_allow_cpu_without_adx'>, flags: readonly string[]) => {
  if (flags.includes('adx')) return { changed: false, msg: 'the CPU has ADX' };
  // no x86 flags line: not an x86_64 host, which the OS check refuses
  if (flags.length === 0) return { changed: false, msg: 'no x86 CPU flags in /proc/cpuinfo (the OS check covers the architecture)' };
  if (v.preflight_allow_cpu_without_adx) return { changed: false, msg: 'the CPU lacks ADX; allowed by preflight_allow_cpu_without_adx' };
  return { changed: false, failed: true, msg: `the CPU lacks ADX (no adx in /proc/cpuinfo flags): ${CAUSE}. ${FIXES}` };
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
