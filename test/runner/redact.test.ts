import { describe, expect, it } from 'vitest';
import { isSecretName, longestFirst, REDACTED, redact, secretValues } from '../../lib/runner/redact.js';

describe('redact', () => {
  it('hides the values of secret names, never the paths of *_file, *_path and *_dir names', () => {
    const vars = {
      keyring_password: 'pw-7f3a9c1e',
      hf_token: 'hf_abcdefgh',
      cold_mnemonic_file: '/home/op/.inference/gpu1-cold.mnemonic',
      keyring_password_file: '/home/op/keyring-password',
      ansible_ssh_private_key_file: '/home/op/.ssh/id_ed25519',
      cold_keyring_dir: '/home/op/.inference',
      vault_password_path: '/etc/nop/vault-pass',
    };
    expect(secretValues(vars).sort()).toEqual(['hf_abcdefgh', 'pw-7f3a9c1e']);
    const msg = 'key created; mnemonic in /home/op/.inference/gpu1-cold.mnemonic, password pw-7f3a9c1e';
    expect(redact(msg, secretValues(vars))).toBe(`key created; mnemonic in /home/op/.inference/gpu1-cold.mnemonic, password ${REDACTED}`);
  });

  it('hides result keys with secret names even when the run has no secret values, and shows location keys', () => {
    const result = { ansible_facts: { gonka_keyring_password: 'read-from-a-file', keyring_password_file: '/home/op/pw' } };
    expect(redact(result, [])).toEqual({ ansible_facts: { gonka_keyring_password: REDACTED, keyring_password_file: '/home/op/pw' } });
  });

  it('keeps a name listed in nop_secret_vars secret whatever it ends with', () => {
    expect(secretValues({ nop_secret_vars: ['backup_dir'], backup_dir: '/srv/hidden-place' })).toEqual(['/srv/hidden-place']);
  });

  it('tells secret names from location names and look-alikes', () => {
    expect(isSecretName('db_password')).toBe(true);
    expect(isSecretName('db_password_file')).toBe(false);
    expect(isSecretName('passno')).toBe(false);
  });

  it('replaces a secret inside a longer one after the longer one, whatever order they were found in', () => {
    const secrets = longestFirst(['abcd', 'abcdefgh', 'abcd']);
    expect(secrets).toEqual(['abcdefgh', 'abcd']);
    expect(redact('x abcdefgh y abcd', secrets)).toBe(`x ${REDACTED} y ${REDACTED}`);
  });
});
