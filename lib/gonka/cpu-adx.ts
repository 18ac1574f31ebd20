// The chain's upgrade binaries from v0.2.16-post1 on are built without portable BLST: on a CPU without ADX they die
// with SIGILL in blst_cgo_init (gonka-interfaces.md §4, gonka issue #1949); the container images are portable.

export const ADX_CAUSE =
  "the chain's upgrade binaries from v0.2.16-post1 on are built for CPUs with ADX and crash with SIGILL (blst_cgo_init) without it, so this network node would stop at the next upgrade height, when Cosmovisor switches to the downloaded binary";

/** What the operator can do, naming the variable that lets a CPU without ADX pass. */
export const adxFixes = (allowVariable: string): string =>
  `Run the network node on a CPU with ADX (Intel Broadwell or later, AMD Zen or later); in a VM, pass the host's CPU model through (libvirt <cpu mode='host-passthrough'/>, QEMU -cpu host) instead of a generic one such as qemu64 or kvm64. If you build portable binaries yourself, set ${allowVariable}: true`;

/** The CPU's flags (the cpu_flags fact): ADX present, absent, or no x86 flags line at all (another architecture). */
export const adxOf = (flags: readonly string[]): 'present' | 'absent' | 'unknown' =>
  flags.includes('adx') ? 'present' : flags.length === 0 ? 'unknown' : 'absent';
