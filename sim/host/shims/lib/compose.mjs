// Reading a compose project the way docker compose does: env files, ${VAR} interpolation, services.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';

// loaded on first use: most runs of this short-lived process never need it, and loading it costs nearly as much
// as starting node
const yaml = () => createRequire(import.meta.url)('yaml');

/** `K=V` and `export K=V` lines, comments and quotes allowed. */
export const parseEnvFile = (text) => {
  const env = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    env[line.slice(0, eq).trim()] = value;
  }
  return env;
};

export const interpolate = (text, env, warnings) =>
  text.replace(/\$\$|\$\{([A-Za-z_]\w*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_]\w*)/g, (m, braced, op, arg, bare) => {
    if (m === '$$') return '$';
    const name = braced ?? bare;
    const value = env[name];
    const unset = value === undefined || (op?.startsWith(':') && value === '');
    if (!unset) return value;
    if (op === ':-' || op === '-') return arg;
    if (op === ':?' || op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    warnings.add(`WARN[0000] The "${name}" variable is not set. Defaulting to a blank string.`);
    return '';
  });

/** A `ports:` entry (short or long syntax) or a `docker run -p` value. */
export const parsePort = (p) => {
  if (typeof p === 'object')
    return { host_ip: p.host_ip ?? '', host_port: p.published ? Number(p.published) : null, container_port: Number(p.target), proto: p.protocol ?? 'tcp' };
  const [spec, proto = 'tcp'] = String(p).split('/');
  const parts = spec.split(':');
  const container = Number(parts.at(-1));
  if (parts.length === 1) return { host_ip: '', host_port: null, container_port: container, proto };
  if (parts.length === 2) return { host_ip: '', host_port: Number(parts[0]), container_port: container, proto };
  return { host_ip: parts.slice(0, -2).join(':'), host_port: Number(parts.at(-2)), container_port: container, proto };
};

/** Interpolates every string value of a parsed compose file, as compose does after parsing (a value holding ": " or " #" stays one value). */
const interpolateValues = (node, env, warnings) => {
  if (typeof node === 'string') return interpolate(node, env, warnings);
  if (Array.isArray(node)) return node.map((v) => interpolateValues(v, env, warnings));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateValues(v, env, warnings)]));
  return node;
};

/** docker compose's own check: every entry of a list-form `environment:` is a `KEY[=VALUE]` string. */
const checkEnvironmentList = (file, service, environment) => {
  if (!Array.isArray(environment)) return;
  const bad = environment.findIndex((e) => typeof e !== 'string');
  if (bad >= 0) throw new Error(`validating ${file}: services.${service}.environment.${bad} must be a string`);
};

const parseVolume = (v, projectDir) => {
  if (typeof v === 'object')
    return {
      host: v.source && !isAbsolute(v.source) && v.type === 'bind' ? resolve(projectDir, v.source) : v.source,
      container: v.target,
      mode: v.read_only ? 'ro' : 'rw',
    };
  const [src, dst, mode = 'rw'] = String(v).split(':');
  if (dst === undefined) return { host: '', container: src, mode };
  const host = src.startsWith('.') || src.startsWith('~') ? resolve(projectDir, src) : src;
  return { host, container: dst, mode };
};

const parseEnvironment = (environment) => {
  if (!environment) return {};
  if (Array.isArray(environment)) return Object.fromEntries(environment.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v === null ? '' : String(v)]));
};

const parseGpus = (svc) => {
  if (svc.gpus === 'all') return 'all';
  const devices = svc.deploy?.resources?.reservations?.devices ?? [];
  const gpu = devices.find((d) => (d.capabilities ?? []).flat().includes('gpu'));
  if (!gpu) return null;
  if (gpu.device_ids) return gpu.device_ids.map(String);
  return gpu.count === undefined || gpu.count === 'all' ? 'all' : [...Array(Number(gpu.count)).keys()].map(String);
};

const toCommand = (c) => (c === undefined || c === null ? [] : Array.isArray(c) ? c.map(String) : String(c).split(/\s+/).filter(Boolean));

/** The project: name, dir, files, env and normalized services (in file order). */
export const loadProject = ({ files, projectName, projectDir, envFiles, profiles = [] }) => {
  const dir = projectDir ?? dirname(resolve(files[0]));
  const env = { ...process.env };
  const envSources = envFiles.length ? envFiles.map((f) => resolve(f)) : existsSync(resolve(dir, '.env')) ? [resolve(dir, '.env')] : [];
  for (const f of envSources) Object.assign(env, parseEnvFile(readFileSync(f, 'utf8')));
  const warnings = new Set();
  const services = {};
  for (const f of files) {
    const doc = interpolateValues(yaml().parse(readFileSync(f, 'utf8')) ?? {}, env, warnings);
    for (const [name, svc] of Object.entries(doc.services ?? {})) {
      checkEnvironmentList(resolve(f), name, svc.environment);
      services[name] = { ...services[name], ...svc };
    }
  }
  const name = (projectName ?? env.COMPOSE_PROJECT_NAME ?? basename(dir)).toLowerCase().replace(/[^a-z0-9_-]/g, '');
  const normalized = Object.entries(services).map(([service, svc]) => {
    const spec = {
      service,
      image: svc.image ?? `${name}-${service}`,
      container_name: svc.container_name ?? `${name}-${service}-1`,
      command: toCommand(svc.command),
      env: parseEnvironment(svc.environment),
      ports: (svc.ports ?? []).map(parsePort),
      volumes: (svc.volumes ?? []).map((v) => parseVolume(v, dir)),
      gpus: parseGpus(svc),
      restart: svc.restart ?? 'no',
      ipc: svc.ipc,
      depends_on: Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {}),
      profiles: svc.profiles ?? [],
    };
    return { ...spec, hash: createHash('sha256').update(JSON.stringify(spec)).digest('hex') };
  });
  const active = [...profiles, ...(env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean)];
  return { name, dir, files: files.map((f) => resolve(f)), envFiles: envSources, profiles: active, services: normalized, warnings: [...warnings] };
};
