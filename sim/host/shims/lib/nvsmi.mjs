// nvidia-smi's views of the simulated GPUs (used by the nvidia-smi shim and by `docker run --gpus ... nvidia-smi`).
import { createHash } from 'node:crypto';
import { driverStatus, major, userSpaceDriver } from './host.mjs';

export const NO_DRIVER =
  "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";

/** The failure nvidia-smi prints instead of any answer, or null when the driver works. */
export const smiFailure = (state) => {
  const status = driverStatus(state);
  if (status === 'no-driver') return { code: 9, text: `${NO_DRIVER}\n` };
  if (status === 'mismatch') {
    const nvml = userSpaceDriver(state).split('.').slice(0, 2).join('.');
    return { code: 18, text: `Failed to initialize NVML: Driver/library version mismatch\nNVML library version: ${nvml}\n` };
  }
  return null;
};

export const gpuUuid = (state, gpu) => {
  const h = createHash('sha256').update(`${state.profile.name}/${gpu.bus_id}`).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const cudaVersion = (driver) => {
  const m = major(driver);
  if (m >= 580) return '13.0';
  if (m >= 570) return '12.8';
  if (m >= 560) return '12.6';
  if (m >= 550) return '12.4';
  if (m >= 535) return '12.2';
  return '12.0';
};

/** GPUs held by running containers that asked for them. */
const busyGpus = (state) => {
  const busy = new Set();
  for (const c of state.docker.containers) {
    if (c.state !== 'running' || !c.gpus) continue;
    const ids = c.gpus === 'all' ? state.profile.gpus.map((_, i) => i) : c.gpus;
    ids.forEach((i) => busy.add(Number(i)));
  }
  return busy;
};

const memoryUsed = (state, index, total) => (busyGpus(state).has(index) ? Math.floor(total * 0.9) : 0);

const FIELDS = {
  index: { header: 'index', value: (g, i) => String(i) },
  name: { header: 'name', value: (g) => g.name },
  'memory.total': { header: 'memory.total [MiB]', unit: 'MiB', value: (g) => String(g.memory_mib) },
  'memory.used': { header: 'memory.used [MiB]', unit: 'MiB', value: (g, i, s) => String(memoryUsed(s, i, g.memory_mib)) },
  'memory.free': { header: 'memory.free [MiB]', unit: 'MiB', value: (g, i, s) => String(g.memory_mib - memoryUsed(s, i, g.memory_mib)) },
  'utilization.gpu': { header: 'utilization.gpu [%]', unit: '%', value: (g, i, s) => (busyGpus(s).has(i) ? '35' : '0') },
  driver_version: { header: 'driver_version', value: (g, i, s) => userSpaceDriver(s) },
  'pci.bus_id': { header: 'pci.bus_id', value: (g) => g.bus_id },
  compute_cap: { header: 'compute_cap', value: (g) => g.compute_cap, minDriver: 510 },
  uuid: { header: 'uuid', value: (g, i, s) => gpuUuid(s, g) },
};
const ALIASES = { gpu_name: 'name', gpu_uuid: 'uuid', gpu_bus_id: 'pci.bus_id', 'pci.bus': 'pci.bus_id' };

/** `--query-gpu=...` answer, or { code, text } for an unknown field. */
export const queryGpu = (state, fieldList, format, ids) => {
  const names = fieldList
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const driverMajor = major(userSpaceDriver(state));
  for (const n of names) {
    const field = FIELDS[ALIASES[n] ?? n];
    if (!field || (field.minDriver && driverMajor < field.minDriver)) return { code: 2, text: `Field "${n}" is not a valid field to query.\n\n` };
  }
  const opts = new Set(format.split(','));
  const fields = names.map((n) => FIELDS[ALIASES[n] ?? n]);
  const rows = state.profile.gpus
    .map((g, i) => ({ g, i }))
    .filter(({ i }) => !ids || ids.includes(i))
    .map(({ g, i }) => fields.map((f) => `${f.value(g, i, state)}${f.unit && !opts.has('nounits') ? ` ${f.unit}` : ''}`).join(', '));
  const header = opts.has('noheader') ? [] : [fields.map((f) => (opts.has('nounits') ? f.header.replace(/ \[.*\]$/, '') : f.header)).join(', ')];
  return { code: 0, text: `${[...header, ...rows].join('\n')}\n` };
};

export const listGpus = (state) => state.profile.gpus.map((g, i) => `GPU ${i}: ${g.name} (UUID: ${gpuUuid(state, g)})\n`).join('');

const numaOf = (state, i) => Math.floor((i * state.profile.topology.numa_nodes) / state.profile.gpus.length);

const cpuAffinity = (state, numa) => {
  const per = state.profile.topology.cpus / state.profile.topology.numa_nodes;
  return `${numa * per}-${(numa + 1) * per - 1}`;
};

const cell = (state, i, j) => {
  if (i === j) return ' X ';
  const t = state.profile.topology;
  if (t.interconnect === 'nvswitch') return `NV${t.nvlinks}`;
  if (t.interconnect === 'nvlink-bridge' && Math.floor(i / 2) === Math.floor(j / 2)) return `NV${t.nvlinks}`;
  if (numaOf(state, i) !== numaOf(state, j)) return 'SYS';
  return Math.floor(i / 2) === Math.floor(j / 2) ? 'PIX' : 'NODE';
};

const LEGEND = `
Legend:

  X    = Self
  SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)
  NODE = Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA node
  PHB  = Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU)
  PXB  = Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge)
  PIX  = Connection traversing at most a single PCIe bridge
  NV#  = Connection traversing a bonded set of # NVLinks
`;

export const topoMatrix = (state) => {
  const n = state.profile.gpus.length;
  const ids = [...Array(n).keys()];
  const header = `\t${ids.map((i) => `GPU${i}`).join('\t')}\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID`;
  const rows = ids.map((i) => `GPU${i}\t${ids.map((j) => cell(state, i, j)).join('\t')}\t${cpuAffinity(state, numaOf(state, i))}\t${numaOf(state, i)}\t\tN/A`);
  return `${[header, ...rows].join('\n')}\n${LEGEND}`;
};

export const nvlinkStatus = (state) =>
  state.profile.gpus
    .map((g, i) => {
      const t = state.profile.topology;
      const head = `GPU ${i}: ${g.name} (UUID: ${gpuUuid(state, g)})`;
      const linked = t.interconnect === 'nvswitch' || (t.interconnect === 'nvlink-bridge' && state.profile.gpus.length > (i ^ 1));
      if (!linked || t.nvlinks === 0) return `${head}\n\t NVML: Unable to retrieve NVLink information as all links are inActive\n`;
      return `${head}\n${[...Array(t.nvlinks).keys()].map((l) => `\t Link ${l}: ${t.link_gbps} GB/s`).join('\n')}\n`;
    })
    .join('');

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

// `Sun Nov 23 16:20:00 2025`, as nvidia-smi prints it
const timestamp = () => {
  const d = new Date();
  return `${d.toDateString().slice(0, 10)} ${d.toTimeString().slice(0, 8)} ${d.getFullYear()}       `;
};

/** The default `nvidia-smi` screen. */
export const summary = (state) => {
  const driver = userSpaceDriver(state);
  const line = '+-----------------------------------------+------------------------+----------------------+';
  const gpus = state.profile.gpus.map((g, i) => {
    const used = memoryUsed(state, i, g.memory_mib);
    const name = g.name.length > 28 ? `${g.name.slice(0, 25)}...` : g.name;
    return [
      `| ${lpad(i, 3)}  ${pad(name, 28)}   On  | ${lpad(g.bus_id, 18)} Off | ${lpad('0', 20)} |`,
      `| N/A   ${lpad(32 + (i % 5), 2)}C    P0   ${lpad(used ? 310 : 70, 13)}W / ${lpad(700, 4)}W | ${lpad(`${used}MiB / ${g.memory_mib}MiB`, 22)} | ${lpad(`${used ? 35 : 0}%`, 7)}      Default |`,
      `|                                         |                        | ${lpad('Disabled', 20)} |`,
      line,
    ].join('\n');
  });
  return [
    timestamp(),
    '+-----------------------------------------------------------------------------------------+',
    `| NVIDIA-SMI ${pad(driver, 22)} Driver Version: ${pad(driver, 14)} CUDA Version: ${pad(cudaVersion(driver), 9)}|`,
    '|-----------------------------------------+------------------------+----------------------+',
    '| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |',
    '| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |',
    '|                                         |                        |               MIG M. |',
    '|=========================================+========================+======================|',
    ...gpus,
    '',
    '+-----------------------------------------------------------------------------------------+',
    '| Processes:                                                                              |',
    '|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |',
    '|        ID   ID                                                               Usage      |',
    '|=========================================================================================|',
    '|  No running processes found                                                             |',
    '+-----------------------------------------------------------------------------------------+',
    '',
  ].join('\n');
};
