import { parseEnvFile } from './service-fingerprints.js';

/**
 * What a deployed config.env says of the node's identity: the values a run on a node that is already there takes
 * when the inventory leaves them out (a node nop set up earlier, or one an operator set up by hand from upstream's
 * deploy/join). Upstream's template placeholders (`<FILLIN>`) and empty values count as absent.
 */
export interface DeployedSettings {
  account_pubkey?: string;
  key_name?: string;
  /** a secret: used to render config.env again, never published as a fact */
  keyring_password?: string;
}

// config.env is sourced by a shell: an operator's hand-written value may be double-quoted
const unquoted = (raw: string | undefined): string | undefined => {
  const v = raw?.trim();
  if (!v) return undefined;
  const inner = /^"(.*)"$/.exec(v)?.[1] ?? v;
  return inner === '' || /^<[^>]*>$/.test(inner) ? undefined : inner;
};

export const deployedSettings = (configEnv: string): DeployedSettings => {
  const env = parseEnvFile(configEnv);
  const out: DeployedSettings = {};
  const account = unquoted(env.ACCOUNT_PUBKEY);
  const key = unquoted(env.KEY_NAME);
  const password = unquoted(env.KEYRING_PASSWORD);
  if (account) out.account_pubkey = account;
  if (key) out.key_name = key;
  if (password) out.keyring_password = password;
  return out;
};

/** The models node-config.json (or an admin API listing's nodes) names, each once, in order. */
export const modelsOfNodeConfig = (text: string | undefined, host?: (entryHost: string) => boolean): string[] => {
  if (!text) return [];
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const models = entries
    .filter((e): e is { host?: unknown; models?: Record<string, unknown> } => typeof e === 'object' && e !== null)
    .filter((e) => !host || host(String(e.host ?? '')))
    .flatMap((e) => Object.keys(e.models ?? {}));
  return [...new Set(models)];
};
