import { spawn } from 'node:child_process';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';
import { decryptVault } from '../../lib/vault/vault.js';
import { LOCAL_INVENTORY, workspace, type Workspace } from '../runner/helpers.js';

const nop = (args: string[], cwd: string, env: Record<string, string> = {}, stdin = '') =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'nop.js'), ...args], { cwd, env: { ...process.env, CI: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

describe('nop vault and the vault password options', () => {
  it('encrypts, views and decrypts in place; encrypt_string makes a !vault value a run reads with a password file, script or prompt', async () => {
    const pwFile = await ws.write('pw', 'correct horse\n');
    const vars = await ws.write('vars.yml', 'db_password: hunter2-long\n');
    expect((await nop(['vault', 'encrypt', vars, '--vault-password-file', pwFile], ws.dir)).code).toBe(0);
    const encrypted = await readFile(vars, 'utf8');
    expect(decryptVault(encrypted, ['correct horse'])).toBe('db_password: hunter2-long\n');
    expect((await nop(['vault', 'view', vars, '--vault-password-file', pwFile], ws.dir)).stdout).toBe('db_password: hunter2-long\n');
    const s = await nop(['vault', 'encrypt_string', '--name', 'api_token', 'tok-9876-secret', '--vault-password-file', pwFile], ws.dir);
    expect(s.stdout).toMatch(/^api_token: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n/);
    await ws.write('group_vars/all.yml', s.stdout);
    await ws.write(
      'site.yml',
      '- hosts: alpha\n  gather_facts: false\n  vars_files: [vars.yml]\n  tasks:\n    - debug: { msg: "{{ api_token }}/{{ db_password }}" }\n',
    );
    const script = await ws.write('pw.sh', '#!/bin/sh\necho "correct horse"\n');
    await chmod(script, 0o755);
    for (const [args, env, stdin] of [
      [['--vault-password-file', pwFile], {}, ''],
      [[], { ANSIBLE_VAULT_PASSWORD_FILE: script }, ''],
      [['--ask-vault-pass'], {}, 'correct horse\n'],
    ] as const) {
      const run = await nop(['run', 'site.yml', '-i', 'inventory.yml', '-v', ...args], ws.dir, env, stdin);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('********/********');
      expect(run.stdout + run.stderr).not.toMatch(/hunter2-long|tok-9876-secret|correct horse/);
    }
    const wrong = await nop(['run', 'site.yml', '-i', 'inventory.yml'], ws.dir, {}, '');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/no vault secrets found/);
    expect((await nop(['vault', 'decrypt', vars, '--vault-password-file', pwFile], ws.dir)).code).toBe(0);
    expect(await readFile(vars, 'utf8')).toBe('db_password: hunter2-long\n');
  });
});
