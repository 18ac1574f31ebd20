import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCfg } from '../../lib/config/cfg-file.js';
import { findConfig } from '../../lib/config/find-config.js';
import { loadSettings } from '../../lib/config/settings.js';

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-settings-'));
  home = join(dir, 'home');
  await mkdir(home);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('config files as configparser reads them', () => {
  it('sections, = or :, case-insensitive keys, whole-line and inline comments, continued values', () => {
    const cfg = parseCfg(
      [
        '# a comment',
        '; another',
        '[defaults]',
        'Forks: 10',
        'inventory = a.yml,',
        '  b.yml ; the second',
        'remote_user = ops#1',
        '',
        '[ssh_connection]',
        'pipelining = True',
      ].join('\n'),
      'x.cfg',
    );
    const defaults = cfg.sections.get('defaults')!;
    expect(defaults.get('forks')).toEqual({ value: '10', line: 4 });
    expect(defaults.get('inventory')).toEqual({ value: 'a.yml,\nb.yml', line: 5 });
    expect(defaults.get('remote_user')?.value).toBe('ops#1');
    expect(cfg.sections.get('ssh_connection')?.get('pipelining')?.value).toBe('True');
  });

  it('a line that is not a setting is an error naming file and line', () => {
    expect(() => parseCfg('[defaults]\njust words\n', 'x.cfg')).toThrow('x.cfg:2: expected "key = value", got: just words');
    expect(() => parseCfg('[defaults\n', 'x.cfg')).toThrow('x.cfg:1: a section header must end with ]');
  });
});

describe('settings', () => {
  it('defaults when there is no file and no variable', async () => {
    const { settings, file } = await loadSettings({}, dir, home);
    expect(file).toBeUndefined();
    expect(settings).toEqual({
      inventory: { value: ['/etc/ansible/hosts'], origin: 'default' },
      forks: { value: 5, origin: 'default' },
      remote_user: { value: undefined, origin: 'default' },
      private_key_file: { value: undefined, origin: 'default' },
      host_key_checking: { value: true, origin: 'default' },
      timeout: { value: 10, origin: 'default' },
    });
  });

  it("types every value, paths relative to the file (or the working directory for variables), with the value's origin", async () => {
    const cfgDir = join(dir, 'conf');
    await mkdir(cfgDir);
    await writeFile(
      join(cfgDir, 'nop.cfg'),
      '[defaults]\ninventory = hosts.yml, /abs/inv.ini\nprivate_key_file = ~/.ssh/deploy\nhost_key_checking = no\ntimeout = 30\n',
    );
    const { settings, file } = await loadSettings({ NOP_CONFIG: cfgDir, ANSIBLE_FORKS: '20', NOP_TIMEOUT: '7', ANSIBLE_INVENTORY: 'inv.yml' }, dir, home);
    expect(file).toBe(join(cfgDir, 'nop.cfg'));
    expect(settings.inventory).toEqual({ value: [join(dir, 'inv.yml')], origin: 'ANSIBLE_INVENTORY' });
    expect(settings.forks).toEqual({ value: 20, origin: 'ANSIBLE_FORKS' });
    expect(settings.timeout).toEqual({ value: 7, origin: 'NOP_TIMEOUT' });
    expect(settings.host_key_checking).toEqual({ value: false, origin: `${join(cfgDir, 'nop.cfg')}:4` });
    expect(settings.private_key_file.value).toMatch(/\/\.ssh\/deploy$/);
    const fromFile = await loadSettings({ NOP_CONFIG: cfgDir }, dir, home);
    expect(fromFile.settings.inventory.value).toEqual([join(cfgDir, 'hosts.yml'), '/abs/inv.ini']);
  });

  it('booleans as Ansible spells them; anything else is refused in words', async () => {
    for (const [raw, value] of [
      ['yes', true],
      ['On', true],
      ['1', true],
      ['False', false],
      ['n', false],
    ] as const)
      expect((await loadSettings({ NOP_HOST_KEY_CHECKING: raw }, dir, home)).settings.host_key_checking.value).toBe(value);
    await expect(loadSettings({ ANSIBLE_HOST_KEY_CHECKING: 'maybe' }, dir, home)).rejects.toThrow(
      'ANSIBLE_HOST_KEY_CHECKING: host_key_checking must be true/false, yes/no, on/off or 1/0, got "maybe"',
    );
    await expect(loadSettings({ NOP_FORKS: '0' }, dir, home)).rejects.toThrow('NOP_FORKS: forks must be at least 1, got "0"');
  });

  it('finds the file as Ansible does: variables, then the working directory, then home; nop.cfg first at each place', async () => {
    expect((await findConfig({}, dir, home)).path).toBeUndefined();
    await writeFile(join(home, '.ansible.cfg'), '');
    expect((await findConfig({}, dir, home)).path).toBe(join(home, '.ansible.cfg'));
    await writeFile(join(home, '.nop.cfg'), '');
    expect((await findConfig({}, dir, home)).path).toBe(join(home, '.nop.cfg'));
    await writeFile(join(dir, 'ansible.cfg'), '');
    expect((await findConfig({}, dir, home)).path).toBe(join(dir, 'ansible.cfg'));
    await writeFile(join(dir, 'nop.cfg'), '');
    expect((await findConfig({}, dir, home)).path).toBe(join(dir, 'nop.cfg'));
    await writeFile(join(dir, 'other.cfg'), '');
    expect((await findConfig({ ANSIBLE_CONFIG: 'other.cfg' }, dir, home)).path).toBe(join(dir, 'other.cfg'));
    expect((await findConfig({ ANSIBLE_CONFIG: 'other.cfg', NOP_CONFIG: join(home, '.nop.cfg') }, dir, home)).path).toBe(join(home, '.nop.cfg'));
    // a variable naming a file that is not there is passed over, as Ansible does
    expect((await findConfig({ NOP_CONFIG: join(dir, 'missing.cfg') }, dir, home)).path).toBe(join(dir, 'nop.cfg'));
  });
});
