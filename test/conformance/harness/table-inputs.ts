import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansibleModules } from '../../../lib/modules/registry.js';
import { loadPlaybook } from '../../../lib/runner/load-playbook.js';
import { KNOWN_DIFFERENCES } from '../known-differences.js';
import { conformanceDir } from './case.js';
import { TABLE_END, TABLE_START, type AnsibleModules, type TableInputs } from './table.js';
import type { Fixture } from './types.js';

const loadError = async (dir: string, action: string): Promise<string | undefined> => {
  const file = join(dir, `${action}.yml`);
  await writeFile(file, `- hosts: all\n  gather_facts: false\n  tasks:\n    - ${action}: {}\n`);
  try {
    await loadPlaybook(file);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
};

// the loader's refusal of a name nobody has, with the name as a placeholder: how a refused module's error begins (a
// suggestion of a near name may follow)
const PROBE = 'nop_conformance_no_such_module';

/**
 * Which of `names` nop's loader refuses as it refuses a module nobody has (the error naming it), found by loading a
 * one-task playbook for each: the table says what the loader does, not what a list says.
 */
export const refusedAtLoad = async (names: readonly string[]): Promise<Set<string>> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-table-'));
  try {
    const unknown = await loadError(dir, PROBE);
    if (unknown === undefined || !unknown.includes(PROBE)) throw new Error(`the loader took a task of a module nobody has (${PROBE})`);
    const refused = new Set<string>();
    for (const name of names) {
      const error = await loadError(dir, name);
      if (error?.startsWith(unknown.replaceAll(PROBE, name))) refused.add(name);
    }
    return refused;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

/** The recorded fixtures, the known differences, nop's modules, Ansible's documented options and what the loader refuses. */
export const readTableInputs = async (): Promise<TableInputs> => {
  const dir = join(conformanceDir(), 'fixtures');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'ansible-modules.json').sort();
  const fixtures = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as Fixture));
  const ansible = JSON.parse(await readFile(join(dir, 'ansible-modules.json'), 'utf8')) as AnsibleModules;
  const have = new Set(ansibleModules.map((m) => m.name));
  const lacking = ansible.builtin.filter((m) => !have.has(m));
  const refused = await refusedAtLoad(lacking);
  return {
    modules: [...ansibleModules],
    fixtures,
    known: KNOWN_DIFFERENCES,
    ansible,
    refused: lacking.filter((m) => refused.has(m)),
    keywords: lacking.filter((m) => !refused.has(m)),
  };
};

/** The README with its table replaced (or placed under the "Ansible compatibility" heading). */
export const replaceTable = (readme: string, table: string): string => {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start >= 0 && end > start) return readme.slice(0, start) + table + readme.slice(end + TABLE_END.length);
  const heading = '## Ansible compatibility\n';
  const at = readme.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no "${heading.trim()}" section to hold the table`);
  return `${readme.slice(0, at + heading.length)}\n${table}\n${readme.slice(at + heading.length)}`;
};
