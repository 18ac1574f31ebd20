import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { renderVariablesDoc, VARIABLES_DOC } from '../../lib/docs/variables-doc.js';
import { acceptsMissing, descriptionOf, schemaDefault, typeWords } from '../../lib/docs/schema-words.js';
import { booleanSchema } from '../../lib/template/boolean.js';

// docs/variables.md is generated from the roles' zod schemas and defaults.yml: the schemas stay the one source of
// truth, and a schema change without `npm run docs` fails here
describe('the variables reference', () => {
  it('docs/variables.md is what the schemas generate (run `npm run docs` after changing a role’s variables)', async () => {
    const generated = await renderVariablesDoc();
    const checkedIn = await readFile(VARIABLES_DOC, 'utf8').catch(() => '');
    expect(checkedIn, 'docs/variables.md is stale: run `npm run docs`').toBe(generated);
  });

  it('lists every role with its variables, defaults from defaults.yml, required ones and secrets', async () => {
    const doc = await renderVariablesDoc();
    for (const role of ['preflight', 'docker', 'nvidia', 'gpu-detect', 'keys', 'config', 'deploy', 'register', 'update', 'repair'])
      expect(doc).toContain(`## ${role}\n`);
    expect(doc).toMatch(/^\| `gonka_network` \| mainnet \\\| testnet \| `"mainnet"` \| no \|/m);
    expect(doc).toMatch(/^\| `keyring_password` \| string \| {2}\| yes \|/m);
    expect(doc).toMatch(/^\| `private_ip` \| string \(IPv4 address\) \| {2}\| no \|/m);
    // Ansible's magic variables are nop's to set, not the operator's to give
    expect(doc).toMatch(/^\| `inventory_hostname` \| string \| set by nop \| no \|/m);
    expect(doc).toContain('| `playbooks/update.yml` | [gpu-detect](#gpu-detect), [update](#update), [participation](#participation) |');
  });

  it('every variable says what it does, and whether it is secret', async () => {
    const rows = (await renderVariablesDoc()).split('\n').filter((l) => /^\| `/.test(l));
    // a variable's row: variable, type or playbook, default, secret, what it does (the playbook table has two columns)
    const cells = rows.map((r) => r.split(/(?<!\\)\|/).map((c) => c.trim())).filter((c) => c.length === 7);
    expect(cells.length).toBeGreaterThan(100);
    expect(cells.filter((c) => c[5] === '').map((c) => c[1])).toEqual([]);
    expect(cells.filter((c) => !['yes', 'no'].includes(c[4])).map((c) => c[1])).toEqual([]);
  });

  it("documents setup.yml's vars_prompt questions: who asks, the default, secret or not", async () => {
    const doc = await renderVariablesDoc();
    expect(doc).toContain('## Asked on a terminal (vars_prompt)');
    expect(doc).toMatch(
      /^\| `keyring_password` \| `playbooks\/setup\.yml` \| {2}\| yes \| Keyring password .*typed twice; not asked when keyring_password_file is set \|$/m,
    );
    expect(doc).toMatch(/^\| `key_workflow` \| `playbooks\/setup\.yml` \| `"quick"` \| no \| .*one of quick, secure \|$/m);
    expect(doc).toMatch(/^\| `public_ip` \| `playbooks\/setup\.yml` \| {2}\| no \| /m);
  });

  it('reads type, default, optionality and description through a schema’s wrappers', () => {
    const port = z.coerce.number().int().min(1).default(8000).describe('the port');
    expect([typeWords(port), schemaDefault(port), acceptsMissing(port), descriptionOf(port)]).toEqual(['integer', { value: 8000 }, true, 'the port']);
    const url = z.string().url().optional();
    expect([typeWords(url), schemaDefault(url), acceptsMissing(url)]).toEqual(['string (URL)', undefined, true]);
    expect(typeWords(z.array(z.enum(['a', 'b'])))).toBe('list of a | b');
    expect(typeWords(booleanSchema.default(false))).toBe('boolean (true/false, yes/no, on/off, 1/0)');
    expect(acceptsMissing(z.string().startsWith('/'))).toBe(false);
    expect(typeWords(z.string().startsWith('/'))).toBe('string (starting with `/`)');
  });
});
