import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { renderVariablesDoc, VARIABLES_DOC } from './variables-doc.js';

// `npm run docs`: regenerate docs/variables.md from the schemas
await writeFile(VARIABLES_DOC, await renderVariablesDoc());
process.stdout.write(`wrote ${relative(process.cwd(), VARIABLES_DOC)}\n`);
