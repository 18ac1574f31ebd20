/** Writes the README's module compatibility table from the conformance suite: `npm run conformance:table`. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTableInputs, replaceTable } from './harness/table-inputs.js';
import { compatibilityTable } from './harness/table.js';
import { conformanceDir } from './harness/case.js';

const main = async () => {
  const readme = join(conformanceDir(), '..', '..', 'README.md');
  const inputs = await readTableInputs();
  const table = compatibilityTable(inputs);
  await writeFile(readme, replaceTable(await readFile(readme, 'utf8'), table));
  process.stdout.write(`README.md: ${table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| module')).length} modules\n`);
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
