import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/runner/paths.js';

const sources = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (/\.(ts|mjs|js|ya?ml|hbs)$/.test(e.name)) out.push(p);
  }
  return out;
};

// the product never knows it runs on a simulated host: the simulator maps paths and provides commands itself
describe('production code and the simulator', () => {
  it('lib, roles, bin, playbooks and templates name no simulator setting and import nothing from sim/', async () => {
    const files = (await Promise.all(['lib', 'roles', 'bin', 'playbooks', 'templates'].map((d) => sources(join(packageRoot, d))))).flat();
    expect(files.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const pattern of [/host_root/, /nop_env/, /NOP_SIM_/, /from ['"][./]*sim\//]) {
        if (pattern.test(text)) offenders.push(`${relative(packageRoot, f)}: ${pattern}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
