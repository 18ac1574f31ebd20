import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/** test/conformance in the source tree, whether this runs from source (vitest) or from dist/ (the recorder). */
export const conformanceDir = (): string => {
  const here = fileURLToPath(new URL('..', import.meta.url));
  return here.replace(/\/dist\/test\//, '/test/');
};

const CaseSchema = z.strictObject({
  description: z.string().min(1),
  /** paths inside the sandbox whose state is recorded after each run (a directory: everything below it) */
  files: z.array(z.string().startsWith('/')).default([]),
  /** shell commands run inside the sandbox after each run; their output is recorded */
  probes: z.record(z.string(), z.string()).default({}),
  /** a shell script run inside the sandbox before the first run ($CASE_DIR: the case, $OUT_DIR: the run's scratch dir) */
  setup: z.string().optional(),
});

export interface ConformanceCase extends z.output<typeof CaseSchema> {
  name: string;
  dir: string;
  playbook: string;
}

export const loadCases = async (only?: readonly string[]): Promise<ConformanceCase[]> => {
  const root = join(conformanceDir(), 'cases');
  const names = (await readdir(root)).sort().filter((n) => !only?.length || only.includes(n));
  const cases: ConformanceCase[] = [];
  for (const name of names) {
    const dir = join(root, name);
    const meta = CaseSchema.parse(parse(await readFile(join(dir, 'case.yml'), 'utf8')));
    cases.push({ ...meta, name, dir, playbook: join(dir, 'playbook.yml') });
  }
  return cases;
};

export const fixturePath = (name: string): string => join(conformanceDir(), 'fixtures', `${name}.json`);
