/**
 * Records what Ansible does with each conformance case: `npm run conformance:record [CASE…]` (`-- --docs`: only
 * the module documentation the compatibility table reads; `-- --inventories`: only ansible-inventory's output for
 * the inventory cases).
 * Runs Debian's ansible-core (apt-get install -y ansible) inside the same sandbox the suite runs nop in, and
 * writes test/conformance/fixtures/CASE.json; also the options Ansible documents for every module nop has
 * and the list of ansible.builtin modules (fixtures/ansible-modules.json), for the README's compatibility table.
 * Needs root (the sandbox) and Ansible; the suite itself needs neither Ansible nor the network.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ansibleModules } from '../../lib/modules/registry.js';
import { ansibleTool } from './harness/ansible.js';
import { conformanceDir, fixturePath, loadCases } from './harness/case.js';
import { recordInventoryCases } from './harness/inventory-cases.js';
import { NORMALIZED } from './harness/normalize.js';
import { runCase } from './harness/run-case.js';
import type { Fixture } from './harness/types.js';

const ansibleVersion = (): string =>
  execFileSync('ansible-playbook', ['--version'], { encoding: 'utf8' })
    .split('\n')[0]
    .replace(/^ansible-playbook \[core (.*)\]$/, 'ansible-core $1');

interface DocOption {
  aliases?: string[];
}

/** Each nop module's documented Ansible options (names and aliases), and every ansible.builtin module's name. */
const recordModuleDocs = async (): Promise<void> => {
  const names = ansibleModules.map((m) => m.fqcn ?? `ansible.builtin.${m.name}`);
  const docs = JSON.parse(
    execFileSync('ansible-doc', ['-j', ...names], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 }),
  ) as Record<string, { doc: { options?: Record<string, DocOption> } }>;
  const options: Record<string, Record<string, string[]>> = {};
  for (const [name, d] of Object.entries(docs)) {
    options[name.split('.').at(-1)!] = Object.fromEntries(Object.entries(d.doc.options ?? {}).map(([o, v]) => [o, v.aliases ?? []]));
  }
  const list = execFileSync('ansible-doc', ['-l', '-j', 'ansible.builtin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const builtin = Object.keys(JSON.parse(list) as Record<string, string>)
    .map((n) => n.replace(/^ansible\.builtin\./, ''))
    .sort();
  await writeFile(
    join(conformanceDir(), 'fixtures', 'ansible-modules.json'),
    `${JSON.stringify({ recorded_with: ansibleVersion(), options, builtin }, null, 2)}\n`,
  );
};

const main = async () => {
  const docsOnly = process.argv.includes('--docs');
  const only = process.argv.slice(2).filter((a) => a !== '--docs' && a !== '--inventories');
  if (docsOnly) return recordModuleDocs();
  if (process.argv.includes('--inventories')) return recordInventoryCases();
  const version = ansibleVersion();
  for (const c of await loadCases(only)) {
    process.stdout.write(`recording ${c.name} with ${version}… `);
    const runs = await runCase(c, ansibleTool);
    const fixture: Fixture = { case: c.name, description: c.description, recorded_with: version, normalized: NORMALIZED, runs };
    await writeFile(fixturePath(c.name), `${JSON.stringify(fixture, null, 2)}\n`);
    process.stdout.write(`${runs.first.tasks.length} tasks, exit ${runs.first.exit_code}\n`);
  }
  if (only.length === 0) {
    await recordModuleDocs();
    await recordInventoryCases();
  }
};

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
