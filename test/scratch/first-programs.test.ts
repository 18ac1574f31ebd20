import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { filePlaybook } from '../helpers/file-play.js';
import { programCounter } from '../helpers/program-counter.js';
import { workspace } from '../runner/helpers.js';
import { localTransport } from '../../lib/transport/local.js';

it('first run programs', async () => {
  const ws = await workspace();
  const counter = await programCounter();
  await ws.write('inventory.yml', 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n');
  await ws.write('site.yml', filePlaybook('{{ playbook_dir }}/out'));
  const scripts: string[] = [];
  const PATH = process.env.PATH;
  process.env.PATH = counter.path;
  const r = await ws.run('site.yml', { connect: async () => { const t = localTransport(); return { ...t, exec: (s, o) => { scripts.push(s + '\n#STDIN ' + String(o?.stdin instanceof Buffer ? o.stdin.length : typeof o?.stdin)); return t.exec(s, o); } }; } });
  process.env.PATH = PATH;
  console.log(JSON.stringify(r.stats));
  const p = await counter.programs();
  writeFileSync('/tmp/h-bench/first-programs.txt', p.join('\n'));
  writeFileSync('/tmp/h-bench/first-scripts.txt', scripts.join('\n=========\n'));
  await ws.cleanup(); await counter.cleanup();
}, 120000);
