import { shellJoin } from '../transport/shell-quote.js';
import type { ExecOptions, Transport } from '../transport/transport.js';
import { upstreamVersion } from './compare-versions.js';
import { GPU_QUERY_FIELDS, GPU_QUERY_FIELDS_LEGACY, isUnknownFieldError, parseGpuDevices, type GpuDevice } from './query-csv.js';
import { parseNvlinkStatus, type NvlinkGpuStatus } from './nvlink-status.js';
import { parseTopology, type GpuTopology } from './topology.js';

export type NvidiaSmiState = 'ok' | 'missing' | 'no-driver' | 'version-mismatch' | 'failed';

export interface DiskSpace {
  /** the path asked about */
  path: string;
  /** the existing directory df was run on (the path itself or its nearest existing parent) */
  measured: string;
  available_bytes: number;
  mount: string;
}

export interface InstalledPackage {
  name: string;
  version: string;
}

export interface GpuFacts {
  nvidia_smi: { state: NvidiaSmiState; message: string };
  gpus: GpuDevice[];
  /** false when the driver could not report compute_cap (architecture then comes from the name table) */
  compute_cap_reported: boolean;
  topology: GpuTopology | null;
  nvlink: NvlinkGpuStatus[];
  driver: {
    /** the loaded kernel module (`/sys/module/nvidia/version`), else the one on disk (`modinfo -F version nvidia`) */
    kernel: string | null;
    /** `modinfo -F version nvidia`: the module the next boot loads */
    kernel_on_disk: string | null;
    /** what nvidia-smi reports (or, on a mismatch, the NVML library version it names) */
    user_space: string | null;
    /** installed nvidia-driver-* packages */
    packages: InstalledPackage[];
  };
  fabric_manager: InstalledPackage | null;
  /** packages on apt hold */
  held: string[];
  disks: { deploy_dir: DiskSpace | null; hf_home: DiskSpace | null };
  /** null when the firmware is not EFI or mokutil is absent */
  secure_boot: boolean | null;
  /** the board is a hypervisor's (DMI vendor or product, as systemd-detect-virt reads them); null: no DMI */
  virtual_machine: boolean | null;
}

export interface GpuFactPaths {
  deployDir: string;
  hfHome: string;
}

const DEFAULT_PATHS: GpuFactPaths = { deployDir: '/opt/gonka/deploy/join', hfHome: '/mnt/shared' };

const QUERY = (fields: readonly string[]) => `nvidia-smi --query-gpu=${fields.join(',')} --format=csv,noheader,nounits`;

// Every section is framed by begin/end markers carrying the exit code, so one failing probe never hides the others.
export const gatherScript = (paths: GpuFactPaths): string => `
section() { name=$1; shift; printf '@@nop-begin %s\\n' "$name"; out=$("$@" 2>&1); rc=$?; [ -n "$out" ] && printf '%s\\n' "$out"; printf '@@nop-end %s %s\\n' "$name" "$rc"; }
nearest() { p=$1; while [ ! -d "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done; printf '%s' "$p"; }
diskof() { d=$(nearest "$1"); printf '%s\\n' "$d"; df -PB1 "$d"; }
legacy() { case "$qout" in *'is not a valid field'*) ${QUERY(GPU_QUERY_FIELDS_LEGACY)};; esac; }
section query ${QUERY(GPU_QUERY_FIELDS)}
qout=$out
section legacy-query legacy
section topo nvidia-smi topo -m
section nvlink nvidia-smi nvlink -s
section modinfo modinfo -F version nvidia
section loaded cat /sys/module/nvidia/version
section packages dpkg-query -W -f='\${Package} \${Version} \${db:Status-Abbrev}\\n' 'nvidia-driver-*' 'nvidia-fabricmanager*'
section holds apt-mark showhold
section disk-deploy diskof ${shellJoin([paths.deployDir])}
section disk-hf diskof ${shellJoin([paths.hfHome])}
section secureboot mokutil --sb-state
section dmi cat /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name
`;

interface Section {
  rc: number;
  out: string;
}

export const splitSections = (stdout: string): Map<string, Section> => {
  const sections = new Map<string, Section>();
  let name: string | undefined;
  let body: string[] = [];
  for (const line of stdout.split('\n')) {
    const begin = /^@@nop-begin (\S+)$/.exec(line);
    const end = /^@@nop-end (\S+) (\d+)$/.exec(line);
    if (begin) {
      name = begin[1];
      body = [];
    } else if (end && end[1] === name) {
      sections.set(name, { rc: Number(end[2]), out: body.join('\n') });
      name = undefined;
    } else if (name) {
      body.push(line);
    }
  }
  return sections;
};

const smiState = (query: Section | undefined): NvidiaSmiState => {
  if (!query || query.rc === 127) return 'missing';
  if (query.rc === 0 || isUnknownFieldError(query.out)) return 'ok';
  if (/Driver\/library version mismatch/.test(query.out)) return 'version-mismatch';
  if (/couldn't communicate with the NVIDIA driver/.test(query.out)) return 'no-driver';
  return 'failed';
};

const parsePackages = (s: Section | undefined): (InstalledPackage & { installed: boolean })[] =>
  (s?.out ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && !f[0].startsWith('dpkg-query'))
    .map(([name, version, abbrev]) => ({ name, version, installed: /^[ih]i/.test(abbrev) }));

const parseDisk = (path: string, s: Section | undefined): DiskSpace | null => {
  if (!s || s.rc !== 0) return null;
  const [measured, , row] = s.out.split('\n');
  const cols = row?.trim().split(/\s+/) ?? [];
  if (cols.length < 6) return null;
  return { path, measured, available_bytes: Number(cols[3]), mount: cols.slice(5).join(' ') };
};

const parseSecureBoot = (s: Section | undefined): boolean | null => {
  if (!s || s.rc !== 0) return null;
  if (/SecureBoot enabled/.test(s.out)) return true;
  if (/SecureBoot disabled/.test(s.out)) return false;
  return null;
};

// the DMI vendors (and Hyper-V's product) systemd-detect-virt names a VM by
const VM_DMI = /^(QEMU|KVM|VMware|VMW|innotek GmbH|VirtualBox|Oracle Corporation|Xen|Bochs|Parallels|BHYVE|Google|OpenStack)\b|^Virtual Machine$/m;

const parseVirtualMachine = (s: Section | undefined): boolean | null => {
  if (!s || s.rc !== 0 || !s.out.trim()) return null;
  return VM_DMI.test(s.out);
};

const userSpaceVersion = (state: NvidiaSmiState, query: Section | undefined, gpus: GpuDevice[]): string | null => {
  if (state === 'ok') return gpus[0]?.driver_version ?? null;
  if (state === 'version-mismatch') return /NVML library version: (\S+)/.exec(query?.out ?? '')?.[1] ?? null;
  return null;
};

/** Turn the gather script's output into facts (exported for tests on recorded output). */
export const parseGpuFacts = (stdout: string, paths: GpuFactPaths = DEFAULT_PATHS): GpuFacts => {
  const s = splitSections(stdout);
  const query = s.get('query');
  const state = smiState(query);
  const legacy = s.get('legacy-query');
  const useLegacy = state === 'ok' && isUnknownFieldError(query?.out ?? '');
  const gpus = state !== 'ok' ? [] : useLegacy ? parseGpuDevices(legacy?.out ?? '', GPU_QUERY_FIELDS_LEGACY) : parseGpuDevices(query?.out ?? '');
  const topo = s.get('topo');
  const nvlink = s.get('nvlink');
  const modinfo = s.get('modinfo');
  const onDisk = modinfo?.rc === 0 && modinfo.out.trim() ? modinfo.out.trim() : null;
  const loaded = s.get('loaded');
  const packages = parsePackages(s.get('packages')).filter((p) => p.installed);
  const fm = packages.find((p) => p.name.startsWith('nvidia-fabricmanager'));
  return {
    nvidia_smi: { state, message: state === 'ok' ? '' : (query?.out ?? '').trim() },
    gpus,
    compute_cap_reported: !useLegacy,
    topology: state === 'ok' && topo?.rc === 0 ? parseTopology(topo.out) : null,
    nvlink: state === 'ok' && nvlink?.rc === 0 ? parseNvlinkStatus(nvlink.out) : [],
    driver: {
      kernel: loaded?.rc === 0 && loaded.out.trim() ? loaded.out.trim() : onDisk,
      kernel_on_disk: onDisk,
      user_space: userSpaceVersion(state, query, gpus),
      packages: packages.filter((p) => p.name.startsWith('nvidia-driver-')).map(({ name, version }) => ({ name, version: upstreamVersion(version) })),
    },
    fabric_manager: fm ? { name: fm.name, version: upstreamVersion(fm.version) } : null,
    held: (s.get('holds')?.out ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    disks: {
      deploy_dir: parseDisk(paths.deployDir, s.get('disk-deploy')),
      hf_home: parseDisk(paths.hfHome, s.get('disk-hf')),
    },
    secure_boot: parseSecureBoot(s.get('secureboot')),
    virtual_machine: parseVirtualMachine(s.get('dmi')),
  };
};

/** Everything nop needs to know about a host's GPUs, in one round trip. */
export const gatherGpuFacts = async (transport: Transport, execOpts: ExecOptions = {}, paths: GpuFactPaths = DEFAULT_PATHS): Promise<GpuFacts> => {
  const res = await transport.exec(gatherScript(paths), execOpts);
  if (res.code !== 0) throw new Error(`gathering GPU facts failed (rc=${res.code}): ${res.stderr.trim()}`);
  return parseGpuFacts(res.stdout, paths);
};
