import { PyFloat } from '../template/py-float.js';

/**
 * Variable names whose values are secret wherever they appear. `pass` only as a word's end (`become_pass`,
 * `db_pass`), so fstab's `passno` or a `passthrough` flag stay readable.
 */
export const SECRET_NAME = /(pass(word|phrase|wd)?(?![a-z])|mnemonic|secret|token|private_key|api_key|credential)/i;

/**
 * Names that hold where a secret is, not the secret: `keyring_password_file`, `cold_mnemonic_file`,
 * `ansible_ssh_private_key_file`. Their values (paths) are shown, so a message can say which file is wrong;
 * the content they point to stays secret where nop reads it (config publishes the keyring password it reads
 * as `gonka_keyring_password`, a secret name; the keys role hands it to inferenced on stdin only).
 */
const LOCATION_NAME = /_(file|path|dir)$/i;

/** Whether a variable (or result key) of this name holds a secret value. */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name) && !LOCATION_NAME.test(name);

export const REDACTED = '********';

type Vars = Record<string, unknown>;

const collect = (value: unknown, out: Set<string>) => {
  if (typeof value === 'string' && value.length >= 4) out.add(value);
  else if (typeof value === 'number' && String(value).length >= 6) out.add(String(value));
  else if (Array.isArray(value)) value.forEach((v) => collect(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => collect(v, out));
};

const LISTED = 'nop_secret_vars';

/** Every secret value found in these variables (by name, and those listed in `nop_secret_vars`, which holds names, not secrets). */
export const secretValues = (vars: Vars, extraNames: ReadonlySet<string> = new Set()): string[] => {
  const out = new Set<string>();
  const listed = [...(Array.isArray(vars[LISTED]) ? (vars[LISTED] as string[]) : []), ...extraNames];
  for (const key of Object.keys(vars)) {
    if (key === LISTED || (!isSecretName(key) && !listed.includes(key))) continue;
    try {
      collect(vars[key], out);
    } catch {
      // an unresolvable template holds no value to hide
    }
  }
  return longestFirst([...out]);
};

/** Secrets without repeats, in the order redact() needs them: one inside a longer one is replaced after it. */
export const longestFirst = (secrets: readonly string[]): string[] => [...new Set(secrets)].sort((a, b) => b.length - a.length);

/** Replace every occurrence of a secret in a string, or in every string of a value. */
export const redact = <T>(value: T, secrets: readonly string[]): T => {
  if (typeof value === 'string') return secrets.reduce((s, secret) => s.split(secret).join(REDACTED), value as string) as T;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets)) as T;
  if (value && typeof value === 'object' && !(value instanceof PyFloat)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretName(k) && typeof v === 'string' ? REDACTED : redact(v, secrets)])) as T;
  }
  return value;
};
