import { afterEach, describe, expect, it } from 'vitest';
import { InventoryError, loadInventory } from '../../lib/inventory/index.js';
import { tempTree } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Load `files` from a temp dir and return the InventoryError, with the temp dir shown as `<dir>`. */
const failure = async (files: Record<string, string>, source: string): Promise<string> => {
  const t = await tempTree(files);
  cleanups.push(t.cleanup);
  const err = await loadInventory([`${t.dir}/${source}`]).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InventoryError);
  return (err as InventoryError).message.replaceAll(t.dir, '<dir>');
};

describe('YAML inventory errors name file, line, column and field path', () => {
  it('a syntax error', async () => {
    // an unclosed flow sequence: the line that opens it (its last character), not the empty end of the file
    expect(await failure({ 'h.yml': 'all:\n  hosts:\n    a: [1\n' }, 'h.yml')).toMatch(/^<dir>\/h\.yml:3:9: /);
  });

  it('a YAML error points at the line to fix, shown with the line above and a caret, as in a playbook', async () => {
    // over-indented: the yaml package blames the line above (ansible_host); the line to fix is private_ip's
    const text = 'all:\n  hosts:\n    gpu1:\n      ansible_host: 10.0.0.5\n       private_ip: 10.0.0.5\n';
    expect(await failure({ 'h.yml': text }, 'h.yml')).toBe(
      [
        '<dir>/h.yml:5:8: this line is indented deeper than the keys above it: a key must line up with the other keys of its mapping',
        '',
        'The offending line appears to be:',
        '',
        '          ansible_host: 10.0.0.5',
        '           private_ip: 10.0.0.5',
        '           ^ here',
      ].join('\n'),
    );
  });

  it('a misspelt group key, pointing at the key', async () => {
    const text = 'all:\n  children:\n    gpu:\n      host:\n        gpu1:\n';
    expect(await failure({ 'h.yml': text }, 'h.yml')).toBe(
      "<dir>/h.yml:4:7: all.children.gpu.host: unknown key 'host': a group takes only hosts, vars and children",
    );
  });

  it('hosts given as a list', async () => {
    expect(await failure({ 'h.yaml': 'all:\n  hosts:\n    - a\n    - b\n' }, 'h.yaml')).toBe(
      '<dir>/h.yaml:3:5: all.hosts: must be a mapping of host names to their variables (or null)',
    );
  });

  it('host variables that are not a mapping', async () => {
    expect(await failure({ 'h.yml': 'gpu:\n  hosts:\n    gpu1: [1, 2]\n' }, 'h.yml')).toBe(
      '<dir>/h.yml:3:11: gpu.hosts.gpu1: must be a mapping of variable names to values',
    );
  });

  it('a group that is not a mapping', async () => {
    expect(await failure({ 'h.yml': 'all:\n  children:\n    gpu: 5\n' }, 'h.yml')).toMatch(
      /^<dir>\/h\.yml:3:10: all\.children\.gpu: a group must be a mapping/,
    );
  });

  it('a bad host range, at the host key', async () => {
    expect(await failure({ 'h.yml': 'all:\n  hosts:\n    gpu[01:1]:\n' }, 'h.yml')).toBe(
      '<dir>/h.yml:3:5: all.hosts.gpu[01:1]: host range must specify equal-length begin and end formats',
    );
  });

  it('a group loop', async () => {
    expect(await failure({ 'h.yml': 'a:\n  children:\n    b:\n      children:\n        a:\n' }, 'h.yml')).toMatch(
      // b → a is added first (children are built depth first, as Ansible does), so a → b closes the loop
      /^<dir>\/h\.yml:3:5: a\.children\.b: Adding group 'b' as child to 'a' creates a recursive dependency loop\.$/,
    );
  });

  it('an empty file, and an inventory plugin config', async () => {
    expect(await failure({ 'h.yml': '# nothing\n' }, 'h.yml')).toBe('<dir>/h.yml: Parsed empty YAML file');
    expect(await failure({ 'aws.yml': 'plugin: amazon.aws.aws_ec2\n' }, 'aws.yml')).toMatch(
      /^<dir>\/aws\.yml:1:1: plugin: Plugin configuration YAML file, not YAML inventory \(inventory plugin 'amazon\.aws\.aws_ec2' is not supported; constructed is\)$/,
    );
  });
});

// the constructed plugin's recorded outputs are in test/conformance/inventories/constructed; these are its refusals
describe('a constructed plugin file that nop refuses, as Ansible does', () => {
  const hosts = 'all:\n  hosts:\n    h1: { n: 1 }\n';

  it('with strict, an expression that fails names the host and the entry', async () => {
    expect(await failure({ 'a.yml': hosts, 'b.yml': 'plugin: constructed\nstrict: true\ngroups:\n  big: missing > 1\n' }, '')).toMatch(
      /^<dir>\/b\.yml: Could not add host h1 to group big: .*missing/,
    );
    expect(await failure({ 'a.yml': hosts, 'b.yml': 'plugin: constructed\nstrict: true\nkeyed_groups:\n  - key: missing\n' }, '')).toMatch(
      /^<dir>\/b\.yml: Could not generate group for host h1 from missing entry/,
    );
    expect(await failure({ 'a.yml': hosts, 'b.yml': 'plugin: constructed\nstrict: true\nkeyed_groups:\n  - key: "\'\'"\n' }, '')).toMatch(
      /^<dir>\/b\.yml: No key or key resulted empty for '' in host h1, invalid entry$/,
    );
  });

  it('an option it does not know, and default_value with trailing_separator', async () => {
    expect(await failure({ 'b.yml': 'plugin: constructed\ncache: true\n' }, 'b.yml')).toMatch(/^<dir>\/b\.yml:\d+:\d+: .*constructed: .*cache/);
    expect(
      await failure({ 'a.yml': hosts, 'b.yml': 'plugin: constructed\nkeyed_groups:\n  - key: n\n    default_value: x\n    trailing_separator: false\n' }, ''),
    ).toBe('<dir>/b.yml: parameters are mutually exclusive for keyed groups: default_value|trailing_separator');
  });
});

describe('an extensionless file that is neither INI nor YAML', () => {
  it('reports the INI error and the YAML one', async () => {
    expect(await failure({ hosts: 'all:\n  hosts:\n    a: [1\n' }, 'hosts')).toMatch(
      /^<dir>\/hosts:1: Invalid host pattern 'all:' supplied, .* \(read as INI; as YAML it fails at line 3: Flow sequence/,
    );
  });
});

describe('INI inventory errors name file and line', () => {
  it.each([
    ['[gpu]\ngpu1\n[gpu:vars]\nnot an assignment\n', '<dir>/h.ini:4: Expected key=value, got: not an assignment'],
    ['[gpu]\ngpu1 novalue\n', '<dir>/h.ini:2: Expected key=value host variable assignment, got: novalue'],
    ['[gpu:weird]\n', '<dir>/h.ini:1: Section [gpu:weird] has unknown type: weird'],
    [
      '[bad section]\n',
      "<dir>/h.ini:1: Invalid section entry: '[bad section]'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters",
    ],
    ['[dc:children]\ngpu\nmissing\n[gpu]\n', "<dir>/h.ini:3: Section [dc:children] includes undefined group 'missing'."],
    ['[x]\nh\n[ghost:vars]\na=1\n', "<dir>/h.ini:3: Section [ghost:vars] not valid for undefined group 'ghost'."],
    ['[gpu]\ngpu1 a="open\n', `<dir>/h.ini:2: Error parsing host definition 'gpu1 a="open': No closing quotation`],
    ['[gpu]\n\ngpu1:\n', "<dir>/h.ini:3: Invalid host pattern 'gpu1:' supplied, ending in ':' is not allowed, this character is reserved to provide a port."],
    ['[gpu]\ngpu[1:3:x]\n', "<dir>/h.ini:2: host range step must be a positive integer, got 'x'"],
    ['[a:children]\nb\n[b:children]\na\n', "<dir>/h.ini:4: Adding group 'a' as child to 'b' creates a recursive dependency loop."],
  ])('%j', async (text, expected) => {
    expect(await failure({ 'h.ini': text }, 'h.ini')).toBe(expected);
  });

  it('[g:vars] before [g] is fine', async () => {
    const t = await tempTree({ 'h.ini': '[g:vars]\na=1\n[g]\nh\n' });
    cleanups.push(t.cleanup);
    const inv = await loadInventory([`${t.dir}/h.ini`]);
    expect(inv.groups.get('g')?.vars).toEqual({ a: 1 });
  });
});

describe('group_vars and host_vars errors', () => {
  it('a vars file that is not a mapping', async () => {
    expect(await failure({ 'h.ini': 'h\n', 'group_vars/all.yml': '- a\n- b\n' }, 'h.ini')).toBe(
      '<dir>/group_vars/all.yml:1:1: must be stored as a dictionary/hash (a mapping of variable names to values)',
    );
  });

  it('a YAML error in a host_vars directory file', async () => {
    expect(await failure({ 'h.ini': 'h\n', 'host_vars/h/main.yml': 'a: 1\nb: [\n' }, 'h.ini')).toMatch(/^<dir>\/host_vars\/h\/main\.yml:2:4: /);
  });

  it('a YAML error in a group_vars file shows the offending line with a caret (an unclosed quote: where the line ends)', async () => {
    expect(await failure({ 'h.ini': 'h\n', 'group_vars/all.yml': 'a: 1\nb: "open\n' }, 'h.ini')).toMatch(
      /^<dir>\/group_vars\/all\.yml:2:8: Missing closing "quote\n\nThe offending line appears to be:\n\n {4}a: 1\n {4}b: "open\n {11}\^ here$/,
    );
  });

  it('a vault-encrypted vars file without a vault password', async () => {
    expect(await failure({ 'h.ini': 'h\n', 'group_vars/all.yml': '$ANSIBLE_VAULT;1.1;AES256\n6162\n' }, 'h.ini')).toMatch(
      /^<dir>\/group_vars\/all\.yml: Attempting to decrypt but no vault secrets found: give --vault-password-file/,
    );
  });
});
