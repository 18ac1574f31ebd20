import { parse } from 'yaml';
import { interpolate } from './compose-interpolate.js';

/** A compose service reduced to what `nop upstream diff` compares, values as the container sees them. */
export interface ComposeService {
  name: string;
  image: { repository: string; tag: string };
  env: Record<string, string>;
  /** container port `PORT/PROTO` → `HOST_IP:HOST_PORT` (0.0.0.0 when published on every interface) */
  ports: Record<string, string>;
  /** container path → source (a host path, a ./relative path or a named volume), with `:ro` when read-only */
  volumes: Record<string, string>;
  command?: string;
  profiles: string[];
}

interface RawService {
  image?: string;
  environment?: string[] | Record<string, string | number | boolean | null>;
  ports?: (string | number | { target: number; published?: number | string; host_ip?: string; protocol?: string })[];
  volumes?: (string | { source?: string; target: string; read_only?: boolean })[];
  command?: string | string[];
  profiles?: string[];
}

const splitImage = (image: string): ComposeService['image'] => {
  const [name, digest] = image.split('@');
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  const repository = colon === -1 ? name : name.slice(0, colon);
  const tag = colon === -1 ? 'latest' : name.slice(colon + 1);
  return { repository, tag: digest ? `${tag}@${digest}` : tag };
};

const envOf = (raw: RawService['environment']): Record<string, string> => {
  if (Array.isArray(raw))
    return Object.fromEntries(
      raw.map((line) => {
        const eq = line.indexOf('=');
        return eq === -1 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
      }),
    );
  return Object.fromEntries(Object.entries(raw ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
};

const shortPort = (spec: string): [string, string] => {
  const proto = /\/(tcp|udp)$/.exec(spec)?.[1] ?? 'tcp';
  const parts = spec.replace(/\/(tcp|udp)$/, '').split(':');
  const target = parts.at(-1)!;
  const published = parts.length >= 2 ? parts.at(-2)! : '';
  const ip = parts.length >= 3 ? parts.slice(0, -2).join(':') : '';
  return [`${target}/${proto}`, `${ip || '0.0.0.0'}:${published}`];
};

const portsOf = (raw: RawService['ports']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const p of raw ?? []) {
    const [key, binding] =
      typeof p === 'object' ? [`${p.target}/${p.protocol ?? 'tcp'}`, `${p.host_ip || '0.0.0.0'}:${p.published ?? ''}`] : shortPort(String(p));
    out[key] = out[key] ? `${out[key]},${binding}` : binding;
  }
  return out;
};

const volumesOf = (raw: RawService['volumes']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const v of raw ?? []) {
    if (typeof v === 'object') {
      out[v.target] = `${v.source ?? ''}${v.read_only ? ':ro' : ''}`;
      continue;
    }
    const [source, target, mode] = v.split(':');
    if (target === undefined) out[source] = '';
    else out[target] = mode ? `${source}:${mode}` : source;
  }
  return out;
};

const commandOf = (raw: RawService['command']): string | undefined =>
  raw === undefined ? undefined : (Array.isArray(raw) ? raw.join(' ') : raw).trim().replace(/\s+/g, ' ');

// as compose does: values are expanded after the YAML is parsed, so a value with YAML syntax in it stays one value
const expand = (value: unknown, vars: Record<string, string>): unknown => {
  if (typeof value === 'string') return interpolate(value, vars);
  if (Array.isArray(value)) return value.map((v) => expand(v, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, vars)]));
  return value;
};

/** The services of a compose file, its `${…}` references expanded with `vars` (config.env, as the shell exports it). */
export const composeServices = (text: string, vars: Record<string, string>, file: string): ComposeService[] => {
  const doc = expand(parse(text), vars) as { services?: Record<string, RawService> } | null;
  if (!doc?.services || typeof doc.services !== 'object') throw new Error(`${file}: no services`);
  return Object.entries(doc.services).map(([name, s]) => {
    if (typeof s?.image !== 'string') throw new Error(`${file}: service ${name} has no image`);
    return {
      name,
      image: splitImage(s.image),
      env: envOf(s.environment),
      ports: portsOf(s.ports),
      volumes: volumesOf(s.volumes),
      command: commandOf(s.command),
      profiles: s.profiles ?? [],
    };
  });
};
