import { describe, expect, it } from 'vitest';
import { hostVars, loadInventory } from '../../lib/inventory/index.js';
import { fixture, tempTree } from './fixtures.js';

const precedence = () => loadInventory([fixture('precedence/inventory/hosts.yml')], { playbookDir: fixture('precedence/playbook') });

describe('hostVars: Ansible variable precedence', () => {
  it('applies each level over the one below it', async () => {
    const vars = hostVars(await precedence(), 'gpu01');
    expect(vars).toMatchObject({
      p1: 'L1-inventory-all',
      p2: 'L2-inventory-gpu',
      p3: 'L3-inventory-group_vars-all',
      p4: 'L4-playbook-group_vars-all',
      p5: 'L5-inventory-group_vars-gpu-dir',
      p6: 'L6-playbook-group_vars-gpu',
      p7: 'L7-inventory-host',
      p8: 'L8-inventory-host_vars',
      p9: 'L9-playbook-host_vars',
    });
  });

  it('merges a group_vars directory in lexical order, skipping hidden, backup and foreign files', async () => {
    const vars = hostVars(await precedence(), 'gpu02');
    expect(vars).toMatchObject({ merged: 'second', only_first: 1, dc1_file: 'loaded', from_all_file: true });
  });

  it('orders groups of the same depth by name, unless ansible_group_priority says otherwise', async () => {
    expect(hostVars(await precedence(), 'gpu02').tie).toBe('beta');
    const t = await tempTree({ 'hosts.ini': '[alpha]\nh\n[beta]\nh\n[alpha:vars]\ntie=alpha\nansible_group_priority=10\n[beta:vars]\ntie=beta\n' });
    try {
      const inv = await loadInventory([`${t.dir}/hosts.ini`]);
      expect(hostVars(inv, 'h').tie).toBe('alpha');
      expect(hostVars(inv, 'h').ansible_group_priority).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });

  it('lets a child group override its parent even when the parent sorts later by name', async () => {
    const t = await tempTree({ 'hosts.ini': '[zz:children]\naa\n[aa]\nh\n[zz:vars]\nv=parent\n[aa:vars]\nv=child\n' });
    try {
      expect(hostVars(await loadInventory([`${t.dir}/hosts.ini`]), 'h').v).toBe('child');
    } finally {
      await t.cleanup();
    }
  });

  it('takes only the first of group_vars/<name>, <name>.yml, <name>.yaml, <name>.json', async () => {
    const t = await tempTree({
      'hosts.ini': '[gpu]\nh\n',
      'group_vars/gpu.yml': 'pick: yml\n',
      'group_vars/gpu.yaml': 'pick: yaml\nonly_yaml: 1\n',
      'group_vars/all.json': '{"from_json": true}',
    });
    try {
      const vars = hostVars(await loadInventory([`${t.dir}/hosts.ini`]), 'h');
      expect(vars).toMatchObject({ pick: 'yml', from_json: true });
      expect(vars.only_yaml).toBeUndefined();
    } finally {
      await t.cleanup();
    }
  });
});

describe('hostVars: magic variables', () => {
  it('sets inventory_hostname, its short form, group_names and groups', async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml')]);
    const vars = hostVars(inv, 'gpu01.dc1');
    expect(vars.inventory_hostname).toBe('gpu01.dc1');
    expect(vars.inventory_hostname_short).toBe('gpu01');
    expect(vars.group_names).toEqual(['dc1', 'gpu']);
    expect(vars.inventory_file).toBe(fixture('yaml-basic/hosts.yml'));
    expect(vars.inventory_dir).toBe(fixture('yaml-basic'));
    expect((vars.groups as Record<string, string[]>).dc1).toEqual(['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1', 'gpu-spare.dc1', 'cpu1']);
    expect(hostVars(inv, 'bastion.example.com').group_names).toEqual(['ungrouped']);
  });

  it('keeps an IP address whole as inventory_hostname_short', async () => {
    const inv = await loadInventory(['10.0.0.7,']);
    expect(hostVars(inv, '10.0.0.7').inventory_hostname_short).toBe('10.0.0.7');
  });

  it('gives the implicit localhost a local connection, the all vars and no groups', async () => {
    const t = await tempTree({ 'hosts.ini': 'h\n[all:vars]\nx=1\ny=1\n', 'group_vars/all.yml': 'y: 2\nz: 2\n', 'host_vars/localhost.yml': 'mine: 3\n' });
    try {
      const vars = hostVars(await loadInventory([`${t.dir}/hosts.ini`]), 'localhost');
      expect(vars).toMatchObject({ ansible_connection: 'local', x: 1, z: 2, mine: 3, group_names: [], inventory_hostname: 'localhost' });
      // Ansible copies the all group's inventory vars into the implicit host's own, so they beat group_vars/all
      expect(vars.y).toBe(1);
    } finally {
      await t.cleanup();
    }
  });

  it('refuses a host that is not in the inventory', async () => {
    const inv = await loadInventory(['a,']);
    expect(() => hostVars(inv, 'nosuch')).toThrow(/not in the inventory/);
  });
});
