import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inventoryList, loadInventory, renderInventoryJson } from '../../lib/inventory/index.js';
import { inventoryIni, inventoryYaml } from '../helpers/inventory-gen.js';
import { makeTempDir, removeDir } from '../modules/helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

const list = async (file: string, text: string): Promise<string> => {
  const path = join(dir, file);
  await writeFile(path, text);
  return `${renderInventoryJson(inventoryList(await loadInventory([path])))}\n`;
};

/**
 * Work done, counted rather than timed: elements scanned by the array searches and map lookups made
 * while loading and listing. A quadratic step (a search per host through a list of all hosts, every
 * group's hosts recomputed per host) makes it grow four-fold when the hosts double; linear code, two-fold.
 */
const workOf = async (fn: () => Promise<unknown>): Promise<number> => {
  let work = 0;
  const arrays = Array.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const scans = ['includes', 'indexOf', 'find', 'findIndex', 'some', 'every', 'filter'];
  const originals = Object.fromEntries(scans.map((m) => [m, arrays[m]]));
  const mapGet = Map.prototype.get;
  for (const m of scans) {
    arrays[m] = function (this: unknown[], ...args: unknown[]) {
      work += this.length;
      return originals[m].apply(this, args);
    };
  }
  Map.prototype.get = function (this: Map<unknown, unknown>, key: unknown) {
    work += 1;
    return mapGet.call(this, key);
  };
  try {
    await fn();
  } finally {
    for (const m of scans) arrays[m] = originals[m];
    Map.prototype.get = mapGet;
  }
  return work;
};

describe('a generated inventory (groups, children, group and host vars)', () => {
  it('lists exactly what ansible-inventory 2.14 lists, from YAML and from INI', async () => {
    // ansible-inventory --list's output for inventoryYaml(200) (the INI form lists the same)
    const expected = await readFile(join(import.meta.dirname, '../fixtures/inventory/generated-200.json'), 'utf8');
    expect(await list('hosts.yml', inventoryYaml(200))).toBe(expected);
    expect(await list('hosts.ini', inventoryIni(200))).toBe(expected);
  });

  it('costs twice the work for twice the hosts (loading and listing are linear)', async () => {
    for (const [ext, gen] of [
      ['yml', inventoryYaml],
      ['ini', inventoryIni],
    ] as const) {
      const texts = [gen(1000), gen(2000)];
      const [small, large] = [await workOf(() => list(`a.${ext}`, texts[0])), await workOf(() => list(`b.${ext}`, texts[1]))];
      expect(large / small, `${ext}: ${small} → ${large}`).toBeLessThan(2.5);
    }
  });
});
