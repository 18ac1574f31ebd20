import { describe, expect, it } from 'vitest';
import { inventoryGraph, inventoryHost, inventoryList, loadInventory, renderInventoryJson } from '../../lib/inventory/index.js';
import { fixture } from './fixtures.js';

// Expected outputs are written by hand from ansible-inventory's rules (ansible-core 2.12+):
// groups in declaration order, `ungrouped` first under `all`, empty groups and keys dropped,
// hostvars only for hosts that have variables, dict keys sorted by the JSON dump.

const gpuVars = { ansible_user: 'gonka', ansible_port: 2222, gonka_network: 'testnet', gpu_count: 8, models: ['Qwen/Qwen3-32B-FP8'], region: 'eu' };

const yamlBasicList = {
  _meta: {
    hostvars: {
      'bastion.example.com': { ansible_user: 'ubuntu', gonka_network: 'testnet' },
      'gpu01.dc1': gpuVars,
      'gpu02.dc1': gpuVars,
      'gpu03.dc1': gpuVars,
      'gpu-spare.dc1': { ansible_user: 'ubuntu', gonka_network: 'testnet', gpu_count: 8, models: ['Qwen/Qwen3-32B-FP8'], region: 'eu' },
      cpu1: { ansible_host: '10.0.0.5', ansible_user: 'ubuntu', enabled: true, gonka_network: 'testnet', region: 'eu' },
    },
  },
  all: { children: ['ungrouped', 'gpu', 'cpu', 'dc1'] },
  ungrouped: { hosts: ['bastion.example.com'] },
  gpu: { hosts: ['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1', 'gpu-spare.dc1'] },
  cpu: { hosts: ['cpu1'] },
  dc1: { children: ['gpu', 'cpu'] },
};

const iniGpu = {
  ansible_user: 'ubuntu',
  enabled: true,
  gpu_count: 8,
  label: 'yes',
  mixed: 'bar # kept: a comment only goes away after a Python literal',
  port: 8080,
  quoted: '8080',
  ratio: 0.5,
};
const iniNode = { ...iniGpu, ansible_port: 2200, model: 'Qwen/Qwen3-32B-FP8', note: 'hello world' };

const iniBasicList = {
  _meta: {
    hostvars: {
      bastion: { ansible_host: '203.0.113.10', ansible_user: 'ubuntu' },
      'gpu01.dc1': { ...iniGpu, ansible_user: 'gonka' },
      'gpu02.dc1': { ...iniGpu, ansible_user: 'gonka' },
      'gpu03.dc1': { ...iniGpu, ansible_user: 'gonka' },
      nodea: iniNode,
      nodeb: iniNode,
      nodec: iniNode,
      odd1: iniGpu,
      odd5: iniGpu,
      odd9: iniGpu,
      cpu1: { ansible_port: 2201, ansible_user: 'ubuntu', list: [1, 'two'], literal: 123, secret: '03#pa33w0rd' },
      cpu2: { ansible_user: 'ubuntu', pass: 'ab' },
      edge1: { ansible_user: 'ubuntu' },
    },
  },
  all: { children: ['ungrouped', 'dc1'] },
  ungrouped: { hosts: ['bastion'] },
  dc1: { children: ['gpu', 'cpu', 'edge'] },
  gpu: { hosts: ['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1', 'nodea', 'nodeb', 'nodec', 'odd1', 'odd5', 'odd9'] },
  cpu: { hosts: ['cpu1', 'cpu2'] },
  edge: { hosts: ['edge1'] },
};

const compareFieldByField = (actual: Record<string, unknown>, expected: Record<string, unknown>) => {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) expect({ [key]: actual[key] }).toEqual({ [key]: expected[key] });
};

describe('inventoryList (ansible-inventory --list)', () => {
  it('matches Ansible for the YAML fixture', async () => {
    const list = inventoryList(await loadInventory([fixture('yaml-basic/hosts.yml')]));
    compareFieldByField(list, yamlBasicList);
    compareFieldByField(list._meta.hostvars, yamlBasicList._meta.hostvars);
  });

  it('matches Ansible for the INI fixture', async () => {
    const list = inventoryList(await loadInventory([fixture('ini-basic/hosts')]));
    compareFieldByField(list, iniBasicList);
    compareFieldByField(list._meta.hostvars, iniBasicList._meta.hostvars);
  });

  it('leaves out hosts without variables and groups without hosts or children', async () => {
    const list = inventoryList(await loadInventory(['a,b:2200']));
    expect(list).toEqual({ _meta: { hostvars: { b: { ansible_port: 2200 } } }, all: { children: ['ungrouped'] }, ungrouped: { hosts: ['a', 'b'] } });
  });

  it('renders JSON the way ansible-inventory dumps it: sorted keys, 4-space indent', async () => {
    const inv = await loadInventory(['gpu1:2222,'], {});
    expect(renderInventoryJson(inventoryList(inv))).toBe(
      [
        '{',
        '    "_meta": {',
        '        "hostvars": {',
        '            "gpu1": {',
        '                "ansible_port": 2222',
        '            }',
        '        }',
        '    },',
        '    "all": {',
        '        "children": [',
        '            "ungrouped"',
        '        ]',
        '    },',
        '    "ungrouped": {',
        '        "hosts": [',
        '            "gpu1"',
        '        ]',
        '    }',
        '}',
      ].join('\n'),
    );
  });
});

describe('inventoryHost (ansible-inventory --host)', () => {
  it("prints a host's merged variables without magic ones", async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml')]);
    expect(inventoryHost(inv, 'gpu02.dc1')).toEqual(gpuVars);
  });
  it('knows the implicit localhost and refuses patterns that are not one host', async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml')]);
    expect(inventoryHost(inv, 'localhost')).toEqual({ ansible_connection: 'local', ansible_user: 'ubuntu', gonka_network: 'testnet' });
    expect(() => inventoryHost(inv, 'gpu')).toThrow(/single valid host/);
    expect(() => inventoryHost(inv, 'nosuch')).toThrow(/single valid host/);
  });
});

describe('inventoryGraph (ansible-inventory --graph)', () => {
  it('draws the group tree in declaration order', async () => {
    const inv = await loadInventory([fixture('yaml-basic/hosts.yml')]);
    expect(inventoryGraph(inv)).toBe(
      [
        '@all:',
        '  |--@ungrouped:',
        '  |  |--bastion.example.com',
        '  |--@gpu:',
        '  |  |--gpu01.dc1',
        '  |  |--gpu02.dc1',
        '  |  |--gpu03.dc1',
        '  |  |--gpu-spare.dc1',
        '  |--@cpu:',
        '  |  |--cpu1',
        '  |--@dc1:',
        '  |  |--@gpu:',
        '  |  |  |--gpu01.dc1',
        '  |  |  |--gpu02.dc1',
        '  |  |  |--gpu03.dc1',
        '  |  |  |--gpu-spare.dc1',
        '  |  |--@cpu:',
        '  |  |  |--cpu1',
      ].join('\n'),
    );
  });
  it('starts at a group, shows empty groups, and refuses unknown groups', async () => {
    const inv = await loadInventory([fixture('ini-basic/hosts')]);
    expect(inventoryGraph(inv, 'dc1').split('\n').slice(0, 3)).toEqual(['@dc1:', '  |--@gpu:', '  |  |--gpu01.dc1']);
    expect(inventoryGraph(await loadInventory(['a,']))).toBe('@all:\n  |--@ungrouped:\n  |  |--a');
    expect(inventoryGraph(await loadInventory([]))).toBe('@all:\n  |--@ungrouped:');
    expect(() => inventoryGraph(inv, 'nosuch')).toThrow(/valid group name/);
  });
});
