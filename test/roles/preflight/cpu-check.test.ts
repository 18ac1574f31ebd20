import { describe, expect, it } from 'vitest';
import { parseCpuFlags } from '../../../lib/facts/builtin/cpu-flags.js';
import { cpuVerdict } from '../../../roles/preflight/cpu-check.js';
import { PreflightVarsSchema } from '../../../roles/preflight/vars.js';

// issue 14 item 4: a network node's CPU must have ADX (the chain's upgrade binaries crash with SIGILL without it)
const BROADWELL = 'flags\t\t: fpu vme de pse tsc msr sse sse2 ssse3 cx16 sse4_1 sse4_2 avx avx2 bmi1 bmi2 adx rdseed smap\n';
const QEMU64 = 'flags\t\t: fpu de pse tsc msr pae mce cx8 apic sep sse sse2 syscall nx lm pni cx16 hypervisor lahf_lm svm\n';
const NET = { group_names: ['network_nodes'], preflight_allow_cpu_without_adx: false };

describe('parseCpuFlags', () => {
  it('reads the flags line, as grep prints it', () => {
    expect(parseCpuFlags(BROADWELL)).toContain('adx');
    expect(parseCpuFlags(QEMU64)).toEqual(expect.arrayContaining(['fpu', 'sse2', 'hypervisor']));
    expect(parseCpuFlags(QEMU64)).not.toContain('adx');
  });

  it('a flag is a whole word: adxx or a prefix is not adx', () => {
    expect(parseCpuFlags('flags\t\t: fpu adxx xadx\n')).toEqual(['fpu', 'adxx', 'xadx']);
  });

  it('no flags line (an ARM host lists Features): no flags', () => {
    expect(parseCpuFlags('')).toEqual([]);
    expect(parseCpuFlags('Features\t: fp asimd evtstrm aes\n')).toEqual([]);
  });
});

describe('cpuVerdict', () => {
  it('a CPU with ADX passes', () => {
    expect(cpuVerdict(NET, parseCpuFlags(BROADWELL))).toEqual({ changed: false, msg: 'the CPU has ADX' });
  });

  it('a CPU without ADX fails, naming the cause, the consequence, the fixes and the override', () => {
    const v = cpuVerdict(NET, parseCpuFlags(QEMU64));
    expect(v.failed).toBe(true);
    expect(v.msg).toMatch(/lacks ADX/);
    expect(v.msg).toMatch(/SIGILL/);
    expect(v.msg).toMatch(/next upgrade height/);
    expect(v.msg).toMatch(/host-passthrough/);
    expect(v.msg).toMatch(/preflight_allow_cpu_without_adx: true/);
  });

  it('preflight_allow_cpu_without_adx lets it pass', () => {
    const v = cpuVerdict({ ...NET, preflight_allow_cpu_without_adx: true }, parseCpuFlags(QEMU64));
    expect(v.failed).toBeUndefined();
    expect(v.msg).toMatch(/allowed by preflight_allow_cpu_without_adx/);
  });

  it('no x86 flags: left to the OS check, which refuses the architecture', () => {
    expect(cpuVerdict(NET, []).failed).toBeUndefined();
  });
});

describe('preflight_allow_cpu_without_adx', () => {
  const base = { gonka_deploy_dir: '/opt/gonka', hf_home: '/mnt/shared', gonka_network: 'mainnet', preflight_ports: [5000] };
  it("takes Ansible's booleans and refuses anything else", () => {
    expect(PreflightVarsSchema.parse(base).preflight_allow_cpu_without_adx).toBe(false);
    expect(PreflightVarsSchema.parse({ ...base, preflight_allow_cpu_without_adx: 'yes' }).preflight_allow_cpu_without_adx).toBe(true);
    expect(PreflightVarsSchema.parse({ ...base, preflight_allow_cpu_without_adx: 'false' }).preflight_allow_cpu_without_adx).toBe(false);
    expect(PreflightVarsSchema.safeParse({ ...base, preflight_allow_cpu_without_adx: 'maybe' }).success).toBe(false);
  });
});
