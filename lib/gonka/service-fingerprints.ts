import { createHash } from 'node:crypto';
import { parse } from 'yaml';

/** compose file name → service → sha256 of everything that service is made from */
export type Fingerprints = Record<string, Record<string, string>>;

const unquote = (raw: string): string => {
  const single = /^'((?:[^']|'\\'')*)'$/.exec(raw);
  if (single) return single[1].replace(/'\\''/g, "'");
  return raw;
};

/** `export NAME=value` lines of config.env (values single-quoted by the shell `quote` helper, or bare). */
export const parseEnvFile = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((line) => /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], unquote(m[2])]),
  );

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\}/g;

// a service under compose profiles runs only when one of them is active (COMPOSE_PROFILES, from config.env);
// naming it on `docker compose up` would start it regardless, so an inactive one is treated as not deployed
const isActive = (def: unknown, env: Record<string, string>): boolean => {
  const profiles = (def as { profiles?: unknown } | null)?.profiles;
  if (!Array.isArray(profiles) || profiles.length === 0) return true;
  const active = (env.COMPOSE_PROFILES ?? '').split(',').map((p) => p.trim());
  return profiles.some((p) => active.includes(String(p)));
};

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * A service's inputs: its definition, the config.env values it interpolates, and the content of the
 * deploy-dir files it mounts (node-config.json, nginx.conf). A service is recreated when this changes.
 */
export const serviceFingerprints = (compose: string, env: Record<string, string>, files: Record<string, string>): Record<string, string> => {
  const doc = (parse(compose) ?? {}) as { services?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(doc.services ?? {})
      .filter(([, def]) => isActive(def, env))
      .map(([name, def]) => {
        const text = JSON.stringify(def);
        const names = [...new Set([...text.matchAll(REFERENCE)].map((m) => m[1]))].sort();
        const expanded = text.replace(REFERENCE, (_w, n: string) => env[n] ?? '');
        const mounted = Object.keys(files)
          .sort()
          .filter((f) => expanded.includes(`./${f}:`))
          .map((f) => `${f}\0${files[f]}`);
        return [name, sha256([text, ...names.map((n) => `${n}=${env[n] ?? ''}`), ...mounted].join('\0'))];
      }),
  );
};

/** Services of each compose file whose inputs changed or that are new; files that did not exist before are not deployed yet. */
export const affectedServices = (before: Fingerprints, after: Fingerprints): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(after)
      .filter(([file]) => before[file] !== undefined)
      .map(([file, services]) => [file, Object.keys(services).filter((s) => before[file][s] !== services[s])] as const)
      .filter(([, services]) => services.length > 0),
  );

/** Services each compose file defined before and no longer does (the bridge turned off, upstream's mlnode-308 after adoption). */
export const removedServices = (before: Fingerprints, after: Fingerprints): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(before)
      .filter(([file]) => after[file] !== undefined)
      .map(([file, services]) => [file, Object.keys(services).filter((s) => after[file][s] === undefined)] as const)
      .filter(([, services]) => services.length > 0),
  );
