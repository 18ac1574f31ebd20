import { describe, expect, test } from 'vitest';
import { architectureOf, computeCapFromName, driverSupports } from '../../lib/gpu/architecture.js';
import { compareVersions, majorVersion, upstreamVersion } from '../../lib/gpu/compare-versions.js';
import { parseGpuFacts } from '../../lib/gpu/facts.js';
import { parseNvlinkStatus } from '../../lib/gpu/nvlink-status.js';
import { GPU_QUERY_FIELDS_LEGACY, isUnknownFieldError, parseGpuDevices, parseQueryCsv } from '../../lib/gpu/query-csv.js';
import { parseTopology } from '../../lib/gpu/topology.js';

// Samples in the format real systems print (from public bug reports and the reference document).
const QUERY_H100 = `0, NVIDIA H100 80GB HBM3, 81559, 570.133.20, 00000000:18:00.0, 9.0
1, NVIDIA H100 80GB HBM3, 81559, 570.133.20, 00000000:2A:00.0, 9.0
`;

const TOPO_H100_WITH_NICS = `        GPU0    GPU1    GPU2    GPU3    GPU4    GPU5    GPU6    GPU7    NIC0    NIC1    CPU Affinity    NUMA Affinity   GPU NUMA ID
GPU0     X      NV18    NV18    NV18    NV18    NV18    NV18    NV18    PIX     NODE    0-23,96-119     0               N/A
GPU1    NV18     X      NV18    NV18    NV18    NV18    NV18    NV18    NODE    PIX     0-23,96-119     0               N/A
GPU2    NV18    NV18     X      NV18    NV18    NV18    NV18    NV18    NODE    NODE    0-23,96-119     0               N/A
GPU3    NV18    NV18    NV18     X      NV18    NV18    NV18    NV18    SYS     SYS     24-47,120-143   1               N/A
GPU4    NV18    NV18    NV18    NV18     X      NV18    NV18    NV18    SYS     SYS     48-71,144-167   2               N/A
GPU5    NV18    NV18    NV18    NV18    NV18     X      NV18    NV18    SYS     SYS     48-71,144-167   2               N/A
GPU6    NV18    NV18    NV18    NV18    NV18    NV18     X      NV18    SYS     SYS     72-95,168-191   3               N/A
GPU7    NV18    NV18    NV18    NV18    NV18    NV18    NV18     X      SYS     SYS     72-95,168-191   3               N/A
NIC0    PIX     NODE    NODE    SYS     SYS     SYS     SYS     SYS      X      NODE
NIC1    NODE    PIX     NODE    SYS     SYS     SYS     SYS     SYS     NODE     X

Legend:

  X    = Self
  NV#  = Connection traversing a bonded set of # NVLinks

NIC Legend:

  NIC0: mlx5_0
  NIC1: mlx5_1
`;

const TOPO_4090 = `\tGPU0\tGPU1\tGPU2\tGPU3\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID
GPU0\t X \tSYS\tSYS\tSYS\t0-55,112-167\t0\t\tN/A
GPU1\tSYS\t X \tSYS\tSYS\t0-55,112-167\t0\t\tN/A
GPU2\tSYS\tSYS\t X \tSYS\t56-111,168-223\t1\t\tN/A
GPU3\tSYS\tSYS\tSYS\t X \t56-111,168-223\t1\t\tN/A
`;

const topoOf = (n: number, cell: (i: number, j: number) => string) =>
  [
    `\t${[...Array(n).keys()].map((i) => `GPU${i}`).join('\t')}\tCPU Affinity`,
    ...[...Array(n).keys()].map((i) => `GPU${i}\t${[...Array(n).keys()].map((j) => (i === j ? ' X ' : cell(i, j))).join('\t')}\t0-63`),
  ].join('\n');

describe('nvidia-smi --query-gpu CSV', () => {
  test('parses one GPU per line', () => {
    expect(parseGpuDevices(QUERY_H100)).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, driver_version: '570.133.20', pci_bus_id: '00000000:18:00.0', compute_cap: '9.0' },
      { index: 1, name: 'NVIDIA H100 80GB HBM3', memory_mib: 81559, driver_version: '570.133.20', pci_bus_id: '00000000:2A:00.0', compute_cap: '9.0' },
    ]);
  });

  test('skips a header line and reads any field order', () => {
    const rows = parseQueryCsv('name, index\nNVIDIA L40S, 0\n', ['name', 'index']);
    expect(rows).toEqual([{ name: 'NVIDIA L40S', index: '0' }]);
  });

  test('legacy query without compute_cap yields null compute_cap', () => {
    const devices = parseGpuDevices('0, Tesla V100-SXM2-32GB, 32510, 470.82.01, 00000000:1A:00.0\n', GPU_QUERY_FIELDS_LEGACY);
    expect(devices[0].compute_cap).toBeNull();
    expect(isUnknownFieldError('Field "compute_cap" is not a valid field to query.')).toBe(true);
  });

  test('rejects a line with the wrong number of fields', () => {
    expect(() => parseGpuDevices('0, NVIDIA H100 80GB HBM3, 81559\n')).toThrow(/expected 6 fields, got 3/);
  });
});

describe('nvidia-smi topo -m', () => {
  test('an HGX H100 board is an NVSwitch mesh; NIC columns and rows are ignored', () => {
    const t = parseTopology(TOPO_H100_WITH_NICS);
    expect(t.gpu_count).toBe(8);
    expect(t.matrix).toHaveLength(8);
    expect(t.matrix[3][0]).toBe('NV18');
    expect(t).toMatchObject({ nvlink_mesh: true, min_links: 18, nvswitch: true });
  });

  test('PCIe cards are no mesh', () => {
    expect(parseTopology(TOPO_4090)).toMatchObject({ gpu_count: 4, nvlink_mesh: false, min_links: 0, nvswitch: false });
  });

  test('8x A100 NV12 is switched; 4x A100 NV4 direct and an NV12 bridge pair are not', () => {
    expect(parseTopology(topoOf(8, () => 'NV12')).nvswitch).toBe(true);
    expect(parseTopology(topoOf(4, () => 'NV4'))).toMatchObject({ nvlink_mesh: true, nvswitch: false });
    expect(parseTopology(topoOf(2, () => 'NV12'))).toMatchObject({ nvlink_mesh: true, nvswitch: false });
    expect(parseTopology(topoOf(2, () => 'NV18')).nvswitch).toBe(true);
  });

  test('bridged pairs on a PCIe board are no mesh', () => {
    const t = parseTopology(topoOf(4, (i, j) => (Math.floor(i / 2) === Math.floor(j / 2) ? 'NV4' : 'NODE')));
    expect(t).toMatchObject({ nvlink_mesh: false, min_links: 0, nvswitch: false });
  });
});

describe('nvidia-smi nvlink -s', () => {
  test('active and inactive links per GPU', () => {
    const out = `GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-2b9e7a4c-1d2e-3f40-5a6b-7c8d9e0f1a2b)
\t Link 0: 26.562 GB/s
\t Link 1: 26.562 GB/s
\t Link 2: <inactive>
GPU 1: NVIDIA GeForce RTX 4090 (UUID: GPU-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9)
\t NVML: Unable to retrieve NVLink information as all links are inActive
`;
    const s = parseNvlinkStatus(out);
    expect(s[0]).toMatchObject({ index: 0, name: 'NVIDIA H100 80GB HBM3', uuid: 'GPU-2b9e7a4c-1d2e-3f40-5a6b-7c8d9e0f1a2b', inactive: 1 });
    expect(s[0].active).toEqual([
      { link: 0, gbps: 26.562 },
      { link: 1, gbps: 26.562 },
    ]);
    expect(s[1]).toMatchObject({ index: 1, active: [], inactive: 0 });
  });
});

describe('architectures', () => {
  test.each([
    ['8.0', 'sm_80', 'Ampere', false],
    ['8.6', 'sm_86', 'Ampere', false],
    ['8.9', 'sm_89', 'Ada', false],
    ['9.0', 'sm_90', 'Hopper', false],
    ['10.0', 'sm_100', 'Blackwell', true],
    ['10.3', 'sm_103', 'Blackwell Ultra', true],
    ['12.0', 'sm_120', 'Blackwell (consumer/workstation)', true],
  ])('compute_cap %s is %s', (cap, sm, family, blackwell) => {
    expect(architectureOf(cap)).toMatchObject({ sm, family, blackwell });
  });

  test.each([
    ['NVIDIA H100 80GB HBM3', '9.0'],
    ['NVIDIA H200', '9.0'],
    ['NVIDIA A100-SXM4-40GB', '8.0'],
    ['NVIDIA GeForce RTX 3090', '8.6'],
    ['NVIDIA GeForce RTX 4090', '8.9'],
    ['NVIDIA L40S', '8.9'],
    ['NVIDIA B200', '10.0'],
    ['NVIDIA B300 SXM6 AC', '10.3'],
    ['NVIDIA GeForce RTX 5090', '12.0'],
    ['Tesla V100-SXM2-32GB', '7.0'],
  ])('name fallback: %s → %s', (name, cap) => {
    expect(computeCapFromName(name)).toBe(cap);
  });

  test('unknown names and caps give undefined', () => {
    expect(computeCapFromName('Matrox G200eW')).toBeUndefined();
    expect(architectureOf('99.9')).toBeUndefined();
  });

  test('minimum driver per architecture is compared as a version', () => {
    expect(driverSupports(architectureOf('10.0')!, '570.133.20')).toBe(true);
    expect(driverSupports(architectureOf('10.3')!, '570.133.20')).toBe(false);
    expect(driverSupports(architectureOf('9.0')!, '535.54.03')).toBe(true);
  });
});

describe('compareVersions', () => {
  test.each([
    ['570.133.20', '570.86.15', 1],
    ['3.0.12', '3.0.9', 1],
    ['3.0.9', '3.0.12', -1],
    ['v0.2.5', '0.2.5', 0],
    ['1:570.133.20-0ubuntu1', '570.133.20', 0],
    ['1.2.0-rc1', '1.2.0', -1],
    ['1.2.0-rc2', '1.2.0-rc10', -1],
    ['1.2', '1.2.0', 0],
    ['10.0', '9.9.9', 1],
    // Gonka's rebuilds of a release (PEP 440 post-releases) come after it
    ['3.0.14-post2', '3.0.14', 1],
    ['3.0.14', '3.0.14-post2', -1],
    ['3.0.14-post2', '3.0.14-post10', -1],
    ['3.0.14-post2', '3.0.14-rc1', 1],
    ['3.0.15', '3.0.14-post2', 1],
  ])('%s vs %s → %d', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
  });

  test('sorts as versions, not as strings', () => {
    expect(['3.0.10', '3.0.9', '3.0.12', '3.0.1'].sort(compareVersions)).toEqual(['3.0.1', '3.0.9', '3.0.10', '3.0.12']);
  });

  test('rejects what is not a version', () => {
    expect(() => compareVersions('latest', '1.0')).toThrow(/not a version/);
  });

  test('major and upstream parts of Debian versions', () => {
    expect(majorVersion('570.133.20-0ubuntu0.22.04.1')).toBe(570);
    expect(upstreamVersion('1:570.133.20-0ubuntu0.22.04.1')).toBe('570.133.20');
    expect(upstreamVersion('550.144.03-1')).toBe('550.144.03');
  });
});

describe('DMI: bare metal or a VM', () => {
  const dmi = (out: string, rc = 0) => parseGpuFacts(`@@nop-begin dmi\n${out}@@nop-end dmi ${rc}\n`).virtual_machine;
  test("names a hypervisor's board (as systemd-detect-virt reads DMI) and nothing else", () => {
    expect(dmi('QEMU\nStandard PC (Q35 + ICH9, 2009)\n')).toBe(true);
    expect(dmi('Microsoft Corporation\nVirtual Machine\n')).toBe(true);
    expect(dmi('VMware, Inc.\nVMware7,1\n')).toBe(true);
    expect(dmi('Supermicro\nSYS-821GE-TNHR\n')).toBe(false);
    expect(dmi('Dell Inc.\nPowerEdge XE9680\n')).toBe(false);
    // no DMI (some ARM boards, containers): unknown
    expect(dmi('cat: /sys/class/dmi/id/sys_vendor: No such file or directory\n', 1)).toBe(null);
  });
});
