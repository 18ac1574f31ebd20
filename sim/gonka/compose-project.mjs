// Reads rendered compose files the way `docker compose` does and reduces them to what the
// simulator needs: which Gonka service each one is, its published ports, volumes and env.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { interpolate, readEnvFile } from './interpolate.mjs';
import { readHostSettings } from './host-settings.mjs';

// loaded on first use: most runs of this short-lived process never need it, and loading it costs nearly as much
// as starting node
const yaml = () => createRequire(import.meta.url)('yaml');

const KIND_BY_IMAGE = [
  [/tmkms/, 'tmkms'],
  [/\/inferenced(:|@|$)/, 'node'],
  [/\/api(:|@|$)/, 'api'],
  [/\/edge-api(:|@|$)/, 'edge-api'],
  [/\/versiond(:|@|$)/, 'versiond'],
  [/\/bridge(:|@|$)/, 'bridge'],
  [/\/proxy(:|@|$)/, 'proxy'],
  [/\/proxy-ssl(:|@|$)/, 'proxy-ssl'],
  [/\/explorer(:|@|$)/, 'explorer'],
  [/\/mlnode(:|@|$)/, 'mlnode'],
  [/(^|\/)nginx(:|@|$)/, 'inference'],
];

export function serviceKind(image) {
  return KIND_BY_IMAGE.find(([re]) => re.test(image))?.[1] ?? 'other';
}

export function imageTag(image) {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? 'latest' : noDigest.slice(colon + 1);
}

export function loadProject({ projectDir, files, envFile, projectName, stateDir }) {
  const host = readHostSettings(stateDir);
  const fileVars = readEnvFile(envFile ?? path.join(projectDir, '.env'));
  const vars = { ...fileVars, ...process.env };
  const merged = { services: {} };
  for (const file of files) {
    const doc = yaml().parse(interpolate(fs.readFileSync(path.resolve(projectDir, file), 'utf8'), vars)) ?? {};
    merged.name ??= doc.name;
    for (const [name, svc] of Object.entries(doc.services ?? {})) {
      merged.services[name] = { ...(merged.services[name] ?? {}), ...svc };
    }
  }
  const name = normalizeName(projectName ?? vars.COMPOSE_PROJECT_NAME ?? merged.name ?? path.basename(path.resolve(projectDir)));
  const services = {};
  for (const [svcName, svc] of Object.entries(merged.services)) {
    services[svcName] = normalizeService(name, svcName, svc, path.resolve(projectDir), host);
  }
  return { name, services };
}

const normalizeName = (name) => name.toLowerCase().replace(/[^a-z0-9_-]/g, '');

function normalizeService(project, name, svc, projectDir, host) {
  if (!svc.image) throw new Error(`service "${name}" has neither an image nor a build context specified`);
  const service = {
    name,
    containerName: svc.container_name ?? `${project}-${name}-1`,
    hostname: svc.hostname ?? name,
    image: svc.image,
    kind: serviceKind(svc.image),
    version: imageTag(svc.image),
    ports: (svc.ports ?? []).map((p) => parsePort(p, host)),
    volumes: (svc.volumes ?? []).map((v) => parseVolume(v, projectDir)).filter(Boolean),
    environment: parseEnvironment(svc.environment),
    healthcheck: Boolean(svc.healthcheck),
    profiles: svc.profiles ?? [],
    dependsOn: dependenciesOf(svc.depends_on),
  };
  return { ...service, configHash: hashOf(service) };
}

// `depends_on` as a list or a mapping; `required: false` (compose 2.20) lets the service start without it
const dependenciesOf = (deps) =>
  Array.isArray(deps)
    ? deps.map((name) => ({ name, required: true }))
    : Object.entries(deps ?? {}).map(([name, d]) => ({ name, required: d?.required !== false }));

const hashOf = (value) => crypto.createHash('sha256').update(JSON.stringify(value)).digest('hex');

// Docker publishes bare and 0.0.0.0 ports on every interface: the simulator puts those on the
// "public" address and records it, so a test can catch a port that should have been internal.
export function parsePort(spec, host) {
  const long = typeof spec === 'object' ? spec : parseShortPort(String(spec));
  const requested = long.host_ip ?? '';
  const isPublic = requested === '' || requested === '0.0.0.0' || requested === '::';
  const loopback = requested.startsWith('127.');
  const hostPort = Number(long.published ?? long.target);
  return {
    spec: typeof spec === 'object' ? JSON.stringify(spec) : String(spec),
    hostIp: requested,
    hostPort,
    containerPort: Number(long.target),
    protocol: long.protocol ?? 'tcp',
    public: isPublic,
    listenAddress: isPublic ? host.publicAddr : loopback ? requested : host.privateAddr,
    listenPort: hostPort + host.portOffset,
  };
}

function parseShortPort(spec) {
  const protocol = /\/(tcp|udp)$/.exec(spec)?.[1] ?? 'tcp';
  const noProto = spec.replace(/\/(tcp|udp)$/, '');
  const parts = noProto.split(':');
  if (parts.length === 1) return { target: parts[0], published: parts[0], protocol };
  if (parts.length === 2) return { published: parts[0], target: parts[1], protocol };
  return {
    protocol,
    host_ip: parts
      .slice(0, -2)
      .join(':')
      .replace(/^\[|\]$/g, ''),
    published: parts.at(-2),
    target: parts.at(-1),
  };
}

function parseVolume(spec, projectDir) {
  if (typeof spec === 'object') {
    return spec.type === 'bind' || spec.source?.startsWith('.') || spec.source?.startsWith('/')
      ? { host: path.resolve(projectDir, spec.source), container: spec.target }
      : undefined;
  }
  const [source, target] = String(spec).split(':');
  if (!target) return undefined;
  const isPath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
  return isPath ? { host: path.resolve(projectDir, source), container: target } : undefined;
}

function parseEnvironment(env) {
  if (!env) return {};
  if (!Array.isArray(env)) return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
  return Object.fromEntries(
    env.map((line) => {
      const eq = String(line).indexOf('=');
      return eq === -1 ? [line, process.env[line] ?? ''] : [line.slice(0, eq), line.slice(eq + 1)];
    }),
  );
}

// The host directory a service sees at `containerPath` (or a subdirectory of it).
export function hostPathOf(service, containerPath) {
  const vol = service.volumes
    .filter((v) => containerPath === v.container || containerPath.startsWith(`${v.container}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  return vol ? path.join(vol.host, containerPath.slice(vol.container.length)) : undefined;
}
