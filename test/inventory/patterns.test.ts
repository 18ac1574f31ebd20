import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitHosts, loadInventory, selectHosts, splitHostPattern, type Inventory } from '../../lib/inventory/index.js';
import { fixture, tempTree } from './fixtures.js';

let inv: Inventory;
let tmp: Awaited<ReturnType<typeof tempTree>>;

beforeAll(async () => {
  inv = await loadInventory([fixture('ini-basic/hosts')]);
  tmp = await tempTree({});
});
afterAll(() => tmp.cleanup());

const GPU = ['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1', 'nodea', 'nodeb', 'nodec', 'odd1', 'odd5', 'odd9'];

describe('splitHostPattern', () => {
  it('splits on commas, and on colons unless the whole is a host:port or a range', () => {
    expect(splitHostPattern('a,b , c')).toEqual(['a', 'b', 'c']);
    expect(splitHostPattern('web:&dc1:!web3')).toEqual(['web', '&dc1', '!web3']);
    expect(splitHostPattern('gpu[1:3]')).toEqual(['gpu[1:3]']);
    expect(splitHostPattern('gpu1:2222')).toEqual(['gpu1:2222']);
  });
});

describe('selectHosts', () => {
  it('all and * list every host in inventory order, without the implicit localhost', () => {
    const all = ['bastion', ...GPU, 'cpu1', 'cpu2', 'edge1'];
    expect(selectHosts(inv, 'all')).toEqual(all);
    expect(selectHosts(inv, '*')).toEqual(all);
  });

  it('selects groups (with their children), hosts and ungrouped', () => {
    expect(selectHosts(inv, 'gpu')).toEqual(GPU);
    expect(selectHosts(inv, 'dc1')).toEqual([...GPU, 'cpu1', 'cpu2', 'edge1']);
    expect(selectHosts(inv, 'cpu2')).toEqual(['cpu2']);
    expect(selectHosts(inv, 'ungrouped')).toEqual(['bastion']);
  });

  it('unions, intersects and excludes', () => {
    expect(selectHosts(inv, 'cpu:edge')).toEqual(['cpu1', 'cpu2', 'edge1']);
    expect(selectHosts(inv, 'edge,cpu1')).toEqual(['edge1', 'cpu1']);
    expect(selectHosts(inv, 'dc1:&cpu')).toEqual(['cpu1', 'cpu2']);
    expect(selectHosts(inv, 'dc1:!gpu')).toEqual(['cpu1', 'cpu2', 'edge1']);
    expect(selectHosts(inv, '!gpu:&dc1')).toEqual(['cpu1', 'cpu2', 'edge1']);
    expect(selectHosts(inv, 'gpu:!odd*:&gpu0*')).toEqual(['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1']);
  });

  it('matches globs and ~regexes against groups and hosts', () => {
    expect(selectHosts(inv, 'gpu0*')).toEqual(['gpu01.dc1', 'gpu02.dc1', 'gpu03.dc1']);
    expect(selectHosts(inv, 'node?')).toEqual(['nodea', 'nodeb', 'nodec']);
    expect(selectHosts(inv, 'node[!a]')).toEqual(['nodeb', 'nodec']);
    expect(selectHosts(inv, '~node[ab]')).toEqual(['nodea', 'nodeb']);
    expect(selectHosts(inv, '~(cpu|edge)$')).toEqual(['cpu1', 'cpu2', 'edge1']);
    expect(selectHosts(inv, 'c*')).toEqual(['cpu1', 'cpu2']);
  });

  it('takes subscripts of a group', () => {
    expect(selectHosts(inv, 'gpu[0]')).toEqual(['gpu01.dc1']);
    expect(selectHosts(inv, 'gpu[-1]')).toEqual(['odd9']);
    expect(selectHosts(inv, 'gpu[1:2]')).toEqual(['gpu02.dc1', 'gpu03.dc1']);
    expect(selectHosts(inv, 'gpu[7:]')).toEqual(['odd5', 'odd9']);
    expect(() => selectHosts(inv, 'gpu[20]')).toThrow(/subscripted pattern/);
  });

  it('matches nothing for unknown names, and the implicit localhost by name', () => {
    expect(selectHosts(inv, 'nosuch')).toEqual([]);
    expect(selectHosts(inv, 'nosuch:cpu1')).toEqual(['cpu1']);
    expect(selectHosts(inv, 'localhost')).toEqual(['localhost']);
    expect(selectHosts(inv, '127.0.0.1')).toEqual(['127.0.0.1']);
  });

  it('resolves localhost to a localhost-like host the inventory defines', async () => {
    const local = await loadInventory(['127.0.0.1,']);
    expect(selectHosts(local, 'localhost')).toEqual(['127.0.0.1']);
  });

  it('reads @file patterns, one per line, like a retry file', async () => {
    const retry = join(tmp.dir, 'site.retry');
    await writeFile(retry, 'edge1\ncpu2\n\n');
    expect(selectHosts(inv, `@${retry}`)).toEqual(['edge1', 'cpu2']);
    expect(() => selectHosts(inv, '@/nonexistent/site.retry')).toThrow(/Unable to find limit file/);
  });
});

describe('limitHosts', () => {
  it('keeps the selected hosts that also match the limit, in their order', async () => {
    const hosts = selectHosts(inv, 'all');
    expect(limitHosts(inv, hosts, undefined)).toEqual(hosts);
    expect(limitHosts(inv, hosts, 'edge:cpu1')).toEqual(['cpu1', 'edge1']);
    expect(limitHosts(inv, hosts, 'dc1:!gpu:!cpu')).toEqual(['edge1']);
    expect(limitHosts(inv, selectHosts(inv, 'gpu'), 'cpu')).toEqual([]);
    const retry = join(tmp.dir, 'limit.retry');
    await writeFile(retry, 'odd9\nbastion\n');
    expect(limitHosts(inv, hosts, `@${retry}`)).toEqual(['bastion', 'odd9']);
  });
});
