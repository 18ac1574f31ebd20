import { chmod } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DEFAULT_INVENTORY, hostVars, loadInventory, selectHosts } from '../../lib/inventory/index.js';
import { fixture, tempTree } from './fixtures.js';

describe('loadInventory: YAML', () => {
  it('builds groups, children, hosts, ranges and ports', async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml')]);
    expect([...inv.groups.keys()]).toEqual(['all', 'ungrouped', 'gpu', 'cpu', 'dc1']);
    expect(inv.groups.get('dc1')?.children).toEqual(['gpu', 'cpu']);
    expect(inv.groups.get('gpu')?.parents).toEqual(['all', 'dc1']);
    expect(inv.hosts.get('gpu03.dc1')?.vars).toEqual({ ansible_port: 2222, ansible_user: 'gonka' });
    // YAML 1.1, as Ansible reads it: `yes` is a boolean
    expect(inv.hosts.get('cpu1')?.vars.enabled).toBe(true);
  });

  it('accepts a single name where Ansible does, and top-level groups besides all', async () => {
    const t = await tempTree({ 'inv.yaml': 'gpu:\n  hosts: gpu1\n  children: big\nbig:\n  hosts:\n    big1:\nall:\n  vars: {x: 1}\n' });
    try {
      const inv = await loadInventory([`${t.dir}/inv.yaml`]);
      expect(selectHosts(inv, 'gpu')).toEqual(['gpu1', 'big1']);
      expect(inv.groups.get('all')?.children).toEqual(['ungrouped', 'gpu']);
      expect(hostVars(inv, 'big1').x).toBe(1);
    } finally {
      await t.cleanup();
    }
  });
});

describe('loadInventory: INI', () => {
  it('reads an extensionless INI file, ungrouped hosts and pending children', async () => {
    const inv = await loadInventory([fixture('ini-basic/hosts')]);
    expect(inv.groups.get('ungrouped')?.hosts).toEqual(['bastion']);
    expect(inv.groups.get('dc1')?.children).toEqual(['gpu', 'cpu', 'edge']);
    expect(inv.groups.get('all')?.children).toEqual(['ungrouped', 'dc1']);
    expect(inv.groups.get('gpu')?.hosts).toEqual(['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1', 'nodea', 'nodeb', 'nodec', 'odd1', 'odd5', 'odd9']);
    expect(inv.hosts.get('nodeb')?.vars).toEqual({ ansible_port: 2200, model: 'Qwen/Qwen3-32B-FP8', note: 'hello world' });
  });

  it('moves a host out of ungrouped once it is found in a group', async () => {
    const t = await tempTree({ 'hosts.ini': 'h1\nh2\n[web]\nh1\n' });
    try {
      const inv = await loadInventory([`${t.dir}/hosts.ini`]);
      expect(inv.groups.get('ungrouped')?.hosts).toEqual(['h2']);
      expect(hostVars(inv, 'h1').group_names).toEqual(['web']);
      expect(hostVars(inv, 'h2').group_names).toEqual(['ungrouped']);
    } finally {
      await t.cleanup();
    }
  });
});

describe('loadInventory: directories and several sources', () => {
  it('loads every inventory file of a directory, recursively, skipping what Ansible skips', async () => {
    const inv = await loadInventory([fixture('dir-inventory')]);
    // 02-cpu.ini is skipped: .ini is one of Ansible's INVENTORY_IGNORE_EXTS (ansible-inventory 2.14 lists no cpu1)
    expect([...inv.hosts.keys()].sort()).toEqual(['edge1', 'gpu1', 'nested1', 'web1']);
    expect(inv.hosts.get('edge1')?.vars).toEqual({ tier: 2 });
    expect(inv.hosts.get('web1')?.vars).toEqual({ tier: 1 });
    expect(inv.warnings).toEqual([expect.stringMatching(/settings\.conf as an inventory source/)]);
  });

  it('reads group_vars/ and host_vars/ inside an inventory directory', async () => {
    const inv = await loadInventory([fixture('dir-inventory')]);
    expect(hostVars(inv, 'gpu1')).toMatchObject({ dir_var: 'from-dir-group_vars', gpu_var: 1 });
    expect(hostVars(inv, 'edge1')).toMatchObject({ dir_var: 'from-dir-group_vars', edge_host_var: true });
    expect(hostVars(inv, 'edge1').gpu_var).toBeUndefined();
  });

  it('merges several sources into one inventory', async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml'), fixture('ini-basic/hosts'), 'extra1,extra2']);
    expect(selectHosts(inv, 'gpu')).toContain('nodea');
    expect(selectHosts(inv, 'gpu')).toContain('gpu-spare.dc1');
    // hosts declared only under `all` join `ungrouped` when the inventory is reconciled, after every source
    expect(selectHosts(inv, 'ungrouped')).toEqual(['bastion', 'extra1', 'extra2', 'bastion.example.com']);
    // the INI file's [all:vars] came last and wins over the YAML all vars
    expect(hostVars(inv, 'bastion.example.com').ansible_user).toBe('ubuntu');
    expect(hostVars(inv, 'nodea').region).toBe('eu');
  });

  it('fails on a missing source, as Ansible with any_unparsed_is_failed; only the default inventory may be missing', async () => {
    await expect(loadInventory(['/nonexistent/nop-inventory'])).rejects.toThrow(
      'Completely failed to parse inventory source /nonexistent/nop-inventory: no such file or directory',
    );
    await expect(loadInventory([DEFAULT_INVENTORY])).resolves.toBeDefined();
  });

  it('warns about a name used for both a host and a group', async () => {
    const t = await tempTree({ 'hosts.ini': '[gpu]\ngpu\n' });
    try {
      expect((await loadInventory([`${t.dir}/hosts.ini`])).warnings).toEqual(['Found both group and host with same name: gpu']);
    } finally {
      await t.cleanup();
    }
  });
});

describe('executable inventory scripts', () => {
  it('fails naming the script and its stderr when it fails, and when its output is not a JSON object', async () => {
    const t = await tempTree({
      'broken.sh': '#!/bin/sh\necho "cannot reach the cloud API" >&2\nexit 3\n',
      'list.sh': '#!/bin/sh\necho "[1, 2]"\n',
      'hosts.ini': '#!/bin/sh\n[web]\nweb1\n',
    });
    try {
      await chmod(`${t.dir}/broken.sh`, 0o755);
      await chmod(`${t.dir}/list.sh`, 0o755);
      await expect(loadInventory([`${t.dir}/broken.sh`])).rejects.toThrow(
        /Inventory script \(.*broken\.sh\) had an execution error: cannot reach the cloud API/,
      );
      await expect(loadInventory([`${t.dir}/list.sh`])).rejects.toThrow(/needs to be a json dict/);
      // not executable: read as what its name says, as Ansible's script plugin cannot run it
      expect(selectHosts(await loadInventory([`${t.dir}/hosts.ini`]), 'web')).toEqual(['web1']);
    } finally {
      await t.cleanup();
    }
  });
});
