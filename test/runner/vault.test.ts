import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decryptVault, encryptVault, vaultIdOf } from '../../lib/vault/vault.js';
import { setVaultPasswords } from '../../lib/vault/vault-passwords.js';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

// test/fixtures/vault: made by ansible-vault (ansible-core 2.14) with the password below
const PASSWORD = 'correct horse';
const fixture = (name: string) => readFile(join(import.meta.dirname, '..', 'fixtures', 'vault', name), 'utf8');

describe('ansible-vault format', () => {
  it("decrypts ansible-vault's files (1.1, and 1.2 with a vault id) and refuses a wrong password without naming it", async () => {
    expect(decryptVault(await fixture('secrets.yml'), [PASSWORD])).toBe('db_password: s3cret-from-vault\nplain_setting: visible\n');
    const labelled = await fixture('labelled.txt');
    expect(vaultIdOf(labelled)).toBe('prod');
    expect(decryptVault(labelled, ['wrong', PASSWORD])).toBe('labelled text\n');
    expect(() => decryptVault(labelled, ['wrong'])).toThrow(/^Decryption failed \(no vault secrets were found that could decrypt\)$/);
    expect(() => decryptVault(labelled, [])).toThrow(/no vault secrets found/);
  });

  it('encrypts what it (and ansible-vault) decrypts, salted anew each time', () => {
    const a = encryptVault('x: 1\n', PASSWORD);
    expect(a.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(a.split('\n').every((l) => l.length <= 80)).toBe(true);
    expect(decryptVault(a, [PASSWORD])).toBe('x: 1\n');
    expect(encryptVault('x: 1\n', PASSWORD)).not.toBe(a);
    expect(encryptVault('y', PASSWORD, 'prod').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
  });
});

describe('vault in a run', () => {
  let ws: Workspace;
  beforeEach(async () => {
    ws = await workspace();
    await ws.write('inventory.yml', LOCAL_INVENTORY);
  });
  afterEach(async () => {
    setVaultPasswords([]);
    await ws.cleanup();
  });

  it('reads encrypted vars files and inline !vault values; what they hold is redacted everywhere', async () => {
    await ws.write('secrets.yml', await fixture('secrets.yml'));
    await ws.write('group_vars/all.yml', await fixture('inline.yml'));
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  vars_files: [secrets.yml]
  tasks:
    - debug: { msg: "{{ plain_setting }} {{ db_password | length }} {{ api_token | length }}" }
    - copy: { dest: "{{ playbook_dir }}/out", content: "{{ db_password }} {{ api_token }}\\n" }
    - debug: { msg: "db {{ db_password }} api {{ api_token }}" }
`,
    );
    await expect(ws.run('site.yml')).rejects.toThrow(/no vault secrets found/);
    setVaultPasswords([PASSWORD]);
    const run = await ws.run('site.yml', { diff: true });
    expect(run.code).toBe(0);
    expect(await readFile(join(ws.dir, 'out'), 'utf8')).toBe('s3cret-from-vault tok-1234-vaulted\n');
    const msgs = results(run.events).map((e) => e.result.msg);
    // every value of an encrypted file is a secret, as the issue asks (Ansible itself would show them)
    expect(msgs[0]).toBe('******** 17 16');
    expect(msgs[2]).toBe('db ******** api ********');
    const shown = JSON.stringify(run.events);
    expect(shown).not.toContain('s3cret-from-vault');
    expect(shown).not.toContain('tok-1234-vaulted');
  });
});
