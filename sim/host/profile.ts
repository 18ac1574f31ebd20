import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import YAML from 'yaml';
import { PROFILES_DIR } from './paths.js';

const GB = 1e9;

/** GPUs of one kind; `count` of them, on the given PCI bus ids or on the usual ones of an 8-GPU board. */
const GpuGroupSchema = z.object({
  name: z.string().min(1),
  memory_mib: z.number().int().positive(),
  compute_cap: z.string().regex(/^\d+\.\d+$/),
  count: z.number().int().positive().default(1),
  bus_ids: z.array(z.string()).optional(),
});

const HGX_BUSES = ['18', '2A', '3A', '5D', '9A', 'AB', 'BA', 'DB'];
const PCIE_BUSES = ['01', '21', '41', '61', '81', 'A1', 'C1', 'E1'];

const PartitionSchema = z.object({
  name: z.string(),
  mount: z.string().startsWith('/').optional(),
  fstype: z.string().default('ext4'),
  size_gb: z.number().positive(),
  avail_gb: z.number().nonnegative().default(0),
});

const DiskSchema = z.object({
  name: z.string(),
  size_gb: z.number().positive(),
  partitions: z.array(PartitionSchema),
});

const PackageSchema = z.object({ name: z.string(), version: z.string().optional() });

const BASE_PACKAGES = ['openssh-server', 'curl', 'ca-certificates', 'gnupg', 'lsb-release', 'kmod', 'mokutil', 'iptables', 'sudo', 'python3', 'util-linux'];

export const ProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    hostname: z.string().default('gpu-node'),
    os: z.object({
      name: z.string().default('Ubuntu'),
      id: z.string().default('ubuntu'),
      version_id: z.string(),
      /** os-release VERSION, e.g. `22.04.5 LTS (Jammy Jellyfish)` */
      version: z.string(),
      codename: z.string(),
      kernel: z.string(),
    }),
    arch: z.enum(['x86_64', 'aarch64']).default('x86_64'),
    /** the CPU's feature flags, shown in the host's /proc/cpuinfo (e.g. a VM's generic CPU model); default: the machine's */
    cpu_flags: z.array(z.string().regex(/^\w+$/)).optional(),
    gpus: z.array(GpuGroupSchema).default([]),
    topology: z
      .object({
        interconnect: z.enum(['nvswitch', 'nvlink-bridge', 'pcie', 'none']),
        /** NVLinks between a pair (NV<n> in topo -m) */
        nvlinks: z.number().int().nonnegative().default(0),
        link_gbps: z.number().nonnegative().default(0),
        numa_nodes: z.number().int().positive().default(2),
        cpus: z.number().int().positive().default(112),
      })
      .default({ interconnect: 'none', nvlinks: 0, link_gbps: 0, numa_nodes: 1, cpus: 16 }),
    /** installed besides the base system; version defaults to the archive's candidate */
    packages: z.array(PackageSchema).default([]),
    holds: z.array(z.string()).default([]),
    /** service states that differ from "installed = enabled and running" */
    services: z.record(z.string(), z.object({ active: z.boolean(), enabled: z.boolean() })).default({}),
    driver: z
      .object({
        /** version of the nvidia module in the running kernel; defaults to the installed driver's */
        kernel_loaded: z.string().nullable().optional(),
      })
      .default({}),
    reboot_required: z.boolean().default(false),
    disks: z.array(DiskSchema).min(1),
    secure_boot: z.boolean().default(false),
    /** the server is a VM with its GPUs passed through (its DMI names the hypervisor, as on a cloud GPU VM) */
    virtual_machine: z.boolean().default(false),
    /** the DKMS signing key is enrolled, so Secure Boot lets the module load */
    mok_enrolled: z.boolean().default(false),
  })
  .transform((p) => ({
    ...p,
    packages: [...BASE_PACKAGES.map((name) => ({ name, version: undefined as string | undefined })), ...p.packages],
    gpus: p.gpus.flatMap((g, gi) => {
      const buses = g.bus_ids ?? (p.topology.interconnect === 'nvswitch' ? HGX_BUSES : PCIE_BUSES);
      return Array.from({ length: g.count }, (_, i) => ({
        name: g.name,
        memory_mib: g.memory_mib,
        compute_cap: g.compute_cap,
        bus_id: `00000000:${g.bus_ids ? buses[i] : buses[(i + gi * g.count) % buses.length]}:00.0`,
      }));
    }),
    disks: p.disks.map((d) => ({
      name: d.name,
      size_bytes: d.size_gb * GB,
      partitions: d.partitions.map((part) => ({
        name: part.name,
        mount: part.mount,
        fstype: part.fstype,
        size_bytes: part.size_gb * GB,
        avail_bytes: part.avail_gb * GB,
      })),
    })),
  }));

export type ProfileInput = z.input<typeof ProfileSchema>;
export type Profile = z.output<typeof ProfileSchema>;

/** Names of the bundled profiles (files in profiles/). */
export const profileNames = async (): Promise<string[]> =>
  (await readdir(PROFILES_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();

/** Load a profile by name (a file in profiles/) or from a path to a YAML file. */
export const loadProfile = async (nameOrPath: string): Promise<Profile> => {
  const path = nameOrPath.includes('/') ? nameOrPath : join(PROFILES_DIR, `${nameOrPath}.yaml`);
  return ProfileSchema.parse(YAML.parse(await readFile(path, 'utf8')));
};
