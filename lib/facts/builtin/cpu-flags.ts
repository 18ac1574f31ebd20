import { defineFact } from '../fact.js';

/**
 * The first CPU's feature flags, from the `flags` line of /proc/cpuinfo (x86: every core lists the same ones).
 * Empty when there is no such line (another architecture: ARM lists `Features`).
 */
export const parseCpuFlags = (stdout: string): string[] => {
  const line = stdout.split('\n').find((l) => /^flags\s*:/.test(l));
  return line
    ? line
        .slice(line.indexOf(':') + 1)
        .split(/\s+/)
        .filter(Boolean)
    : [];
};

/** The CPU's feature flags (`adx`, `avx2`…) as the kernel reports them. */
export const cpuFlags = defineFact<void, string[]>({
  name: 'cpu_flags',
  // one line, not the whole file: a large server lists every core's flags
  command: () => `grep -m1 '^flags' /proc/cpuinfo || true`,
  parse: ({ stdout }, args) => args.map(() => parseCpuFlags(stdout)),
  key: () => 'cpu_flags',
});
