import { composeServices, type ComposeService } from './compose-model.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from './deploy-files.js';
import { parseEnvFile } from './service-fingerprints.js';
import type { StackAspect, StackDifference } from './stack-difference.js';

/** The deploy files of one side, as text; a file the side does not have (an ML-only host has no config.env) is absent. */
export interface StackFiles {
  [CONFIG_ENV]?: string;
  [NETWORK_COMPOSE]?: string;
  [MLNODE_COMPOSE]?: string;
}

// upstream's template marks what each operator fills in: <FILLIN>, <HOST>, <PORT>, <ACCOUNT_PUBKEY_FROM_STEP_ABOVE>
const isPlaceholder = (value: string | undefined): boolean => value !== undefined && /<[A-Z][A-Z0-9_]*>/.test(value);

const isMlNode = (s: ComposeService): boolean => s.image.repository.endsWith('/mlnode');

/** The default upstream's compose files give `${NAME:-default}`, when they read the variable with one. */
const composeDefault = (texts: string[], name: string): string | undefined => {
  for (const text of texts) {
    const m = new RegExp(`\\$\\{${name}:?-([^}]*)\\}`).exec(text);
    if (m) return m[1];
  }
  return undefined;
};

type Emit = (aspect: StackAspect, key: string, upstream: string | undefined, nop: string | undefined) => void;

const compareMaps = (emit: Emit, aspect: StackAspect, up: Record<string, string>, nop: Record<string, string>): void => {
  for (const key of [...new Set([...Object.keys(up), ...Object.keys(nop)])].sort()) {
    const [u, n] = [up[key], nop[key]];
    if (u === n) continue;
    if (u !== undefined && n !== undefined && isPlaceholder(u)) continue;
    emit(aspect, key, u, n);
  }
};

const compareService = (emit: Emit, up: ComposeService, nop: ComposeService): void => {
  if (up.image.repository !== nop.image.repository) emit('image', 'repository', up.image.repository, nop.image.repository);
  if (up.image.tag !== nop.image.tag) emit('image', 'tag', up.image.tag, nop.image.tag);
  compareMaps(emit, 'env', up.env, nop.env);
  compareMaps(emit, 'port', up.ports, nop.ports);
  compareMaps(emit, 'volume', up.volumes, nop.volumes);
  if (up.command !== nop.command) emit('command', 'command', up.command, nop.command);
  const [u, n] = [up.profiles.join(','), nop.profiles.join(',')];
  if (u !== n) emit('profile', 'profiles', u || undefined, n || undefined);
};

const compareCompose = (file: string, up: ComposeService[], nop: ComposeService[]): StackDifference[] => {
  const out: StackDifference[] = [];
  const emitFor =
    (service: string): Emit =>
    (aspect, key, upstream, nopValue) =>
      out.push({ file, service, aspect, key, upstream, nop: nopValue });
  const upMl = up.find(isMlNode);
  for (const n of nop) {
    const u = up.find((s) => s.name === n.name) ?? (isMlNode(n) ? upMl : undefined);
    if (!u) {
      emitFor(n.name)('service', n.name, undefined, n.name);
      continue;
    }
    if (u.name !== n.name) emitFor(n.name)('service', u.name, u.name, n.name);
    compareService(emitFor(n.name), u, n);
  }
  for (const u of up) {
    const matched = nop.some((n) => n.name === u.name || (isMlNode(u) && isMlNode(n)));
    if (!matched) emitFor(u.name)('service', u.name, u.name, undefined);
  }
  return out;
};

const compareEnvFile = (up: Record<string, string>, nop: Record<string, string>, upstreamCompose: string[]): StackDifference[] => {
  const out: StackDifference[] = [];
  compareMaps(
    (aspect, key, upstream, nopValue) => {
      // nop writes some values upstream's compose only defaults: the same value is no difference
      if (upstream === undefined && nopValue !== undefined && composeDefault(upstreamCompose, key) === nopValue) return;
      out.push({ file: CONFIG_ENV, aspect, key, upstream, nop: nopValue });
    },
    'variable',
    up,
    nop,
  );
  return out;
};

/**
 * Every semantic difference between upstream's deploy files and nop's for one host: config.env variables, and per
 * compose service the image, environment, published ports (with their bind addresses), volumes, command and
 * profiles, values expanded as the containers get them (each side's compose file with its own config.env). Upstream's
 * single ML node is compared with each of nop's. Only the files nop has for the host are compared.
 */
export const compareStacks = (upstream: StackFiles, nop: StackFiles): StackDifference[] => {
  const need = (file: keyof StackFiles): string => {
    const text = upstream[file];
    if (text === undefined) throw new Error(`upstream's ${file} is missing`);
    return text;
  };
  const composeFiles = [NETWORK_COMPOSE, MLNODE_COMPOSE] as const;
  const upEnv = parseEnvFile(upstream[CONFIG_ENV] ?? '');
  const nopEnv = nop[CONFIG_ENV] === undefined ? {} : parseEnvFile(nop[CONFIG_ENV]);
  const out: StackDifference[] = [];
  if (nop[CONFIG_ENV] !== undefined)
    out.push(
      ...compareEnvFile(
        parseEnvFile(need(CONFIG_ENV)),
        nopEnv,
        composeFiles.flatMap((f) => upstream[f] ?? []),
      ),
    );
  for (const file of composeFiles) {
    const mine = nop[file];
    if (mine === undefined) continue;
    out.push(...compareCompose(file, composeServices(need(file), upEnv, `upstream ${file}`), composeServices(mine, nopEnv, `nop ${file}`)));
  }
  return out;
};
