// Containers and images of the simulated docker daemon, and the GPU gate of `--gpus`.
import { createHash, randomBytes } from 'node:crypto';
import { driverStatus } from './host.mjs';

export const newId = () => randomBytes(32).toString('hex');

export const splitImage = (ref) => {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? { repository: base.slice(0, colon), tag: base.slice(colon + 1) } : { repository: base, tag: 'latest' };
};

export const imageRef = (ref) => {
  const { repository, tag } = splitImage(ref);
  return `${repository}:${tag}`;
};

export const findImage = (state, ref) => {
  const { repository, tag } = splitImage(ref);
  return state.docker.images.find((i) => (i.repository === repository && i.tag === tag) || i.id.startsWith(ref.replace(/^sha256:/, '')));
};

/** Record a pulled image; returns the lines docker pull prints. */
export const pullImage = (state, ref) => {
  const { repository, tag } = splitImage(ref);
  const digest = createHash('sha256').update(`${repository}:${tag}`).digest('hex');
  const existing = findImage(state, ref);
  if (!existing) state.docker.images.push({ repository, tag, id: digest, created: new Date().toISOString(), size: 1_000_000_000 });
  return [
    `${tag}: Pulling from ${repository.replace(/^[^/]+\.[^/]+\//, '')}`,
    `Digest: sha256:${digest}`,
    existing ? `Status: Image is up to date for ${repository}:${tag}` : `Status: Downloaded newer image for ${repository}:${tag}`,
  ];
};

export const findContainer = (state, ref) =>
  state.docker.containers.find((c) => c.name === ref || c.name === ref.replace(/^\//, '') || (ref.length >= 4 && c.id.startsWith(ref)));

const hasNvidiaRuntime = (config) => {
  try {
    return Boolean(JSON.parse(config || '{}').runtimes?.nvidia);
  } catch {
    return false;
  }
};

/** null when GPUs can be handed to a container, else the daemon's error (for `driver` "" or "nvidia"). */
export const gpuError = (state, driver = '') => {
  const toolkit = state.packages['nvidia-container-toolkit']?.status === 'ii';
  if (!toolkit || !hasNvidiaRuntime(state.docker.daemon_config)) {
    return `Error response from daemon: could not select device driver "${driver}" with capabilities: [[gpu]]`;
  }
  if (driverStatus(state) !== 'ok') {
    return "Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error running hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\nnvidia-container-cli: initialization error: nvml error: driver not loaded: unknown";
  }
  return null;
};

const ago = (iso) => {
  const s = Math.max(1, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  return `${Math.round(s / 3600)} hours`;
};

const portsText = (c) =>
  c.ports.map((p) => (p.host_port ? `${p.host_ip || '0.0.0.0'}:${p.host_port}->${p.container_port}/${p.proto}` : `${p.container_port}/${p.proto}`)).join(', ');

const statusText = (c) =>
  c.state === 'running' ? `Up ${ago(c.started)}` : c.state === 'created' ? 'Created' : `Exited (${c.exit_code}) ${ago(c.finished ?? c.created)} ago`;

const commandText = (c) => {
  const cmd = c.command.join(' ');
  return JSON.stringify(cmd.length > 20 ? `${cmd.slice(0, 19)}…` : cmd);
};

/** `docker ps --format '{{json .}}'` object. */
export const psObject = (c) => ({
  Command: commandText(c),
  CreatedAt: `${c.created.replace('T', ' ').replace(/\.\d+Z$/, '')} +0000 UTC`,
  ID: c.id.slice(0, 12),
  Image: c.image,
  Labels: Object.entries(c.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(','),
  LocalVolumes: '0',
  Mounts: c.volumes.map((v) => v.host).join(','),
  Names: c.name,
  Networks: c.labels['com.docker.compose.project'] ? `${c.labels['com.docker.compose.project']}_default` : 'bridge',
  Ports: portsText(c),
  RunningFor: `${ago(c.created)} ago`,
  Size: '0B',
  State: c.state,
  Status: statusText(c),
});

/** `docker inspect` object of a container. */
export const inspectObject = (state, c) => ({
  Id: c.id,
  Created: c.created,
  Path: c.command[0] ?? '',
  Args: c.command.slice(1),
  State: {
    Status: c.state === 'running' && c.paused ? 'paused' : c.state,
    Running: c.state === 'running',
    Paused: Boolean(c.paused),
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: c.state === 'running' ? 4242 : 0,
    ExitCode: c.exit_code,
    Error: '',
    StartedAt: c.started ?? '0001-01-01T00:00:00Z',
    FinishedAt: c.finished ?? '0001-01-01T00:00:00Z',
  },
  Image: `sha256:${findImage(state, c.image)?.id ?? ''}`,
  Name: `/${c.name}`,
  RestartCount: c.restart_count,
  HostConfig: {
    RestartPolicy: { Name: c.restart || 'no', MaximumRetryCount: 0 },
    IpcMode: c.ipc ?? 'private',
    DeviceRequests: c.gpus
      ? [{ Driver: 'nvidia', Count: c.gpus === 'all' ? -1 : 0, DeviceIDs: c.gpus === 'all' ? null : c.gpus.map(String), Capabilities: [['gpu']], Options: {} }]
      : null,
    PortBindings: Object.fromEntries(
      c.ports.filter((p) => p.host_port).map((p) => [`${p.container_port}/${p.proto}`, [{ HostIp: p.host_ip, HostPort: String(p.host_port) }]]),
    ),
  },
  Mounts: c.volumes.map((v) => ({ Type: 'bind', Source: v.host, Destination: v.container, Mode: v.mode ?? '', RW: v.mode !== 'ro', Propagation: 'rprivate' })),
  Config: {
    Image: c.image,
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Cmd: c.command,
    Labels: c.labels,
  },
  NetworkSettings: {
    Ports: Object.fromEntries(
      c.ports.map((p) => [`${p.container_port}/${p.proto}`, p.host_port ? [{ HostIp: p.host_ip || '0.0.0.0', HostPort: String(p.host_port) }] : null]),
    ),
  },
});
