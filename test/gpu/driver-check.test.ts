import { afterAll, describe, expect, test } from 'vitest';
import { checkDriverConsistency } from '../../lib/gpu/driver-check.js';
import { gatherGpuFacts, parseGpuFacts } from '../../lib/gpu/facts.js';
import { simHost } from '../sim-host/sim-host.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

const gather = async (profile: string) => {
  const h = await simHost(profile);
  cleanups.push(h.cleanup);
  const facts = () => gatherGpuFacts(h.host.transport());
  return { ...h, facts };
};

describe('gatherGpuFacts on simulated hosts', () => {
  test('a consistent HGX H100: everything in one round trip', async () => {
    const { facts } = await gather('h100-8x');
    const f = await facts();
    expect(f.nvidia_smi.state).toBe('ok');
    expect(f.gpus).toHaveLength(8);
    expect(f.compute_cap_reported).toBe(true);
    expect(f.topology).toMatchObject({ gpu_count: 8, nvlink_mesh: true, nvswitch: true });
    expect(f.nvlink[0].active).toHaveLength(18);
    expect(f.driver).toEqual({
      kernel: '570.133.20',
      kernel_on_disk: '570.133.20',
      user_space: '570.133.20',
      packages: [{ name: 'nvidia-driver-570-server', version: '570.133.20' }],
    });
    expect(f.fabric_manager).toEqual({ name: 'nvidia-fabricmanager-570', version: '570.133.20' });
    expect(f.held).toContain('nvidia-driver-570-server');
    expect(f.disks.hf_home).toMatchObject({ available_bytes: 6000e9, mount: '/mnt/shared' });
    expect(f.disks.deploy_dir).toMatchObject({ available_bytes: 1500e9, mount: '/' });
    expect(f.secure_boot).toBe(false);
    expect(checkDriverConsistency(f)).toEqual([]);
  });

  test('kernel/user-space mismatch names reboot and apt-mark hold', async () => {
    const { facts } = await gather('driver-mismatch');
    const f = await facts();
    expect(f.nvidia_smi.state).toBe('version-mismatch');
    expect(f.driver.kernel).toBe('570.124.06');
    const problems = checkDriverConsistency(f);
    expect(problems.map((p) => p.code)).toEqual(['kernel-user-mismatch', 'driver-not-held']);
    expect(problems[0].fix).toMatch(/reboot.*apt-mark hold nvidia-driver-570-server/);
    expect(problems[1].fix).toBe('apt-mark hold nvidia-driver-570-server nvidia-fabricmanager-570');
  });

  test('Fabric Manager of another branch than the driver', async () => {
    const { facts } = await gather('fabric-manager-mismatch');
    const problems = checkDriverConsistency(await facts());
    expect(problems.map((p) => p.code)).toEqual(['fabric-manager-mismatch', 'driver-not-held']);
    expect(problems[0].message).toMatch(/550\.144\.03.*570\.133\.20/);
    expect(problems[0].fix).toMatch(/nvidia-fabricmanager-570=570\.133\.20-\*/);
  });

  test('Fabric Manager is not asked for on PCIe cards', async () => {
    const { facts } = await gather('l40s-6x');
    const f = await facts();
    expect(f.fabric_manager).toBeNull();
    expect(f.topology?.nvswitch).toBe(false);
    expect(checkDriverConsistency(f)).toEqual([]);
  });

  test('fresh host: driver missing; after install: not loaded until reboot; then consistent once held', async () => {
    const { facts, sh, host } = await gather('fresh-2204');
    expect(checkDriverConsistency(await facts()).map((p) => p.code)).toEqual(['driver-missing']);
    expect(sh('apt-get install -y linux-headers-$(uname -r) nvidia-driver-570-server nvidia-fabricmanager-570').code).toBe(0);
    const pending = await facts();
    expect(pending.nvidia_smi.state).toBe('no-driver');
    expect(pending.driver.kernel).toBe('570.133.20');
    expect(checkDriverConsistency(pending).map((p) => p.code)).toEqual(['driver-not-loaded', 'driver-not-held']);
    await host.reboot();
    expect(sh('apt-mark hold nvidia-driver-570-server nvidia-fabricmanager-570').code).toBe(0);
    expect(checkDriverConsistency(await facts())).toEqual([]);
  });

  test('Secure Boot keeps an unsigned module out', async () => {
    const { facts, sh, host } = await gather('secure-boot');
    expect(sh('apt-get install -y linux-headers-generic nvidia-driver-570-server').code).toBe(0);
    await host.reboot();
    const f = await facts();
    expect(f.secure_boot).toBe(true);
    expect(checkDriverConsistency(f).map((p) => p.code)).toContain('secure-boot-blocks-module');
  });

  test('NVSwitch without Fabric Manager', async () => {
    const { facts, sh } = await gather('unattended-upgrades');
    expect(sh('apt-get remove -y nvidia-fabricmanager-570').code).toBe(0);
    const problems = checkDriverConsistency(await facts());
    expect(problems[0]).toMatchObject({ code: 'fabric-manager-missing' });
    expect(problems[0].fix).toMatch(/apt-get install nvidia-fabricmanager-570=570\.133\.20-\*/);
  });
});

describe('parseGpuFacts on recorded output', () => {
  const section = (name: string, rc: number, body: string) => `@@nop-begin ${name}\n${body}${body ? '\n' : ''}@@nop-end ${name} ${rc}\n`;

  test('a driver too old for compute_cap falls back to the legacy query', () => {
    const out =
      section('query', 2, 'Field "compute_cap" is not a valid field to query.') +
      section('legacy-query', 0, '0, Tesla V100-SXM2-32GB, 32510, 470.82.01, 00000000:1A:00.0') +
      section('modinfo', 0, '470.82.01') +
      section('loaded', 0, '470.82.01') +
      section('secureboot', 1, 'EFI variables are not supported on this system');
    const f = parseGpuFacts(out);
    expect(f.nvidia_smi.state).toBe('ok');
    expect(f.compute_cap_reported).toBe(false);
    expect(f.gpus[0]).toMatchObject({ name: 'Tesla V100-SXM2-32GB', compute_cap: null, driver_version: '470.82.01' });
    expect(f.secure_boot).toBeNull();
  });

  test('driver too old for Blackwell Ultra', () => {
    const out = section('query', 0, '0, NVIDIA B300 SXM6 AC, 275040, 570.133.20, 00000000:18:00.0, 10.3') + section('loaded', 0, '570.133.20');
    expect(checkDriverConsistency(parseGpuFacts(out)).map((p) => p.code)).toContain('driver-too-old');
  });
});
