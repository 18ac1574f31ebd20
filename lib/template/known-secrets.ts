/**
 * Secret values that appear while the run goes on, whatever variable later holds them: decrypted vault
 * values and passwords from the password lookup. Redaction (lib/runner/redact.ts) hides them everywhere.
 */
const known = new Set<string>();

export const addSecret = (value: string): void => {
  if (value.length >= 4) known.add(value);
};

export const knownSecrets = (): readonly string[] => [...known];
