import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir } from './harness/case.js';
import { readTableInputs } from './harness/table-inputs.js';
import { compatibilityTable, TABLE_END, TABLE_START } from './harness/table.js';

describe("README's Ansible compatibility table", () => {
  it('is the one the suite generates (npm run conformance:table)', async () => {
    const inputs = await readTableInputs();
    const table = compatibilityTable(inputs);
    const readme = await readFile(join(conformanceDir(), '..', '..', 'README.md'), 'utf8');
    const current = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(current).toBe(table);
  });
});
