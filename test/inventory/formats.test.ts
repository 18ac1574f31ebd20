import { describe, expect, it } from 'vitest';
import { inventoryCommand } from '../../lib/cli/inventory-command.js';
import { inventoryList, loadInventory, renderInventoryToml, renderInventoryYaml } from '../../lib/inventory/index.js';
import { tempTree } from './fixtures.js';

// The recorded ansible-inventory outputs (test/conformance/inventories) prove the formats on real inventories;
// these are the corners they do not reach, written from python's toml 0.10 and PyYAML's rules.

describe('TOML as python toml.dumps writes it', () => {
  it('quotes keys that are not bare and escapes strings as repr() does', () => {
    expect(renderInventoryToml({ g: { hosts: { 'web.example.com': { 'a b': 'say "hi"\n', path: 'C:\\x', bell: '\u0007' } } } })).toBe(
      '[g.hosts."web.example.com"]\n"a b" = "say \\"hi\\"\\n"\npath = "C:\\\\x"\nbell = "\\u0007"\n',
    );
  });

  it('leaves out null values, writes floats as Python does and tables breadth first after values', () => {
    expect(renderInventoryToml({ g: { vars: { none: null, f: 1.5e-7, big: 12345678901234567890n, t: { x: [1, true] }, s: 'v' } } })).toBe(
      '[g.vars]\nf = 1.5e-7\nbig = 12345678901234567890\ns = "v"\n\n[g.vars.t]\nx = [ 1, true,]\n',
    );
  });

  it('refuses a list of tables with the message ansible-inventory gives', () => {
    expect(() => renderInventoryToml({ g: { vars: { l: [{ a: 1 }] } } })).toThrow(/cannot be represented in TOML/);
  });
});

describe('YAML as PyYAML dumps it for ansible-inventory', () => {
  it('quotes what YAML 1.1 would read as another type, sorts keys, does not indent sequences', () => {
    expect(renderInventoryYaml({ b: ['on', 'null', '0o7', 'x', '1e3', '1.5', '2024-1-2', '2024-01-02'], a: { empty: '', n: null, t: true } })).toBe(
      "a:\n  empty: ''\n  n: null\n  t: true\nb:\n- 'on'\n- 'null'\n- 0o7\n- x\n- 1e3\n- '1.5'\n- 2024-1-2\n- '2024-01-02'\n",
    );
  });
});

describe('YAML quoting of single quotes, as PyYAML does it', () => {
  it('single-quotes a string that cannot be plain, doubling the quotes inside; keeps one that can be plain', () => {
    expect(renderInventoryYaml({ a: "{{ lookup('pipe','id') }}", b: "it's", c: "x'y: z" })).toBe("a: '{{ lookup(''pipe'',''id'') }}'\nb: it's\nc: 'x''y: z'\n");
  });
});

describe('--export with --playbook-dir', () => {
  it('keeps the group_vars and host_vars beside the playbook where they are defined, as ansible-inventory --playbook-dir does', async () => {
    const t = await tempTree({
      'inv/hosts.yml': 'web:\n  hosts:\n    w1: { a: 1 }\n',
      'play/group_vars/web.yml': 'g: 2\n',
      'play/host_vars/w1.yml': 'h: 3\n',
    });
    try {
      const inv = await loadInventory([`${t.dir}/inv/hosts.yml`], { playbookDir: `${t.dir}/play` });
      const listing = inventoryList(inv, { export: true });
      expect(listing.web).toEqual({ hosts: ['w1'], vars: { g: 2 } });
      expect(listing._meta.hostvars.w1).toEqual({ a: 1, h: 3 });
    } finally {
      await t.cleanup();
    }
  });
});

describe('nop inventory option combinations, as ansible-inventory takes them', () => {
  it.each([
    [{ list: true, yaml: true, toml: true }, /one of --yaml, --toml/],
    [{ host: 'h', toml: true }, /--toml works only with --list/],
    [{ list: true, vars: true }, /--vars works only with --graph/],
  ])('%j is refused before the inventory is read', async (opts, message) => {
    await expect(inventoryCommand({ inventory: ['/nonexistent'], ...opts })).rejects.toThrow(message);
  });
});
