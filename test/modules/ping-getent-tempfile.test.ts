import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getentModule } from '../../lib/modules/builtin/getent.js';
import { pingModule } from '../../lib/modules/builtin/ping.js';
import { tempfileModule } from '../../lib/modules/builtin/tempfile.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe('ping', () => {
  it("answers pong or the data, and fails on 'crash' as Ansible's does", async () => {
    expect(await runModule(pingModule, {})).toEqual({ changed: false, ping: 'pong' });
    expect(await runModule(pingModule, { data: 'hello' }, { check: true })).toEqual({ changed: false, ping: 'hello' });
    expect(await runModule(pingModule, { data: 'crash' })).toMatchObject({ failed: true, msg: expect.stringContaining('MODULE FAILURE') });
  });
});

describe('getent', () => {
  it('reads a key into getent_<database>, colon-split for passwd and group, whitespace-split otherwise', async () => {
    const root = await runModule(getentModule, { database: 'passwd', key: 'root' });
    expect(root).toMatchObject({
      changed: false,
      ansible_facts: { getent_passwd: { root: ['x', '0', '0', expect.any(String), '/root', expect.any(String)] } },
    });
    const group = await runModule(getentModule, { database: 'group' });
    expect((group.ansible_facts as { getent_group: Record<string, string[]> }).getent_group.root[1]).toBe('0');
    const services = await runModule(getentModule, { database: 'services', key: 'ssh' });
    expect((services.ansible_facts as { getent_services: Record<string, string[]> }).getent_services.ssh[0]).toBe('22/tcp');
  });

  it("a missing key fails with Ansible's message, or is null with fail_key: false", async () => {
    const missing = { database: 'passwd', key: 'nobody-made-this' };
    expect(await runModule(getentModule, missing)).toMatchObject({ failed: true, msg: 'One or more supplied key could not be found in the database.' });
    expect(await runModule(getentModule, { ...missing, fail_key: false })).toMatchObject({
      changed: false,
      ansible_facts: { getent_passwd: { 'nobody-made-this': null } },
      msg: 'One or more supplied key could not be found in the database.',
    });
  });
});

describe('tempfile', () => {
  it('makes a new file (0600) or directory (0700) each run, named prefix + 8 characters + suffix; check mode makes none', async () => {
    const file = await runModule(tempfileModule, { path: dir, prefix: 'cfg.', suffix: '.conf' });
    expect(file).toMatchObject({ changed: true, state: 'file', mode: '0600', size: 0 });
    expect(String(file.path)).toMatch(new RegExp(`^${dir}/cfg\\.[A-Za-z0-9]{8}\\.conf$`));
    const made = await runModule(tempfileModule, { path: dir, state: 'directory' });
    expect(made).toMatchObject({ changed: true, state: 'directory', mode: '0700' });
    expect((await lstat(String(made.path))).isDirectory()).toBe(true);
    expect(String(made.path)).toMatch(new RegExp(`^${dir}/ansible\\.[A-Za-z0-9]{8}$`));
    expect(await runModule(tempfileModule, { path: dir }, { check: true })).toMatchObject({ changed: false, skipped: true });
    expect((await readdir(dir)).length).toBe(2);
  });

  it('refuses a prefix holding a /', async () => {
    expect(await runModule(tempfileModule, { path: dir, prefix: '../x' })).toMatchObject({ failed: true });
    expect(await readdir(join(dir))).toEqual([]);
  });
});
