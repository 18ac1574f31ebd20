/**
 * `nop inventory --list` vs `ansible-inventory --list` on generated inventories of 1k, 10k and 100k
 * hosts (YAML and INI: groups, children, group and host vars), in one run.
 * Usage: npm run bench:inventory [-- --sizes 1000,10000,100000] [--no-ansible]
 * Prints each tool's wall time, nop's time per host over its start (flat when nop is linear) and nop/ansible.
 * Ansible is Debian's ansible-core (`apt-get install -y ansible-core`); without it, nop alone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { inventoryIni, inventoryYaml } from '../test/helpers/inventory-gen.js';

const run = promisify(execFile);
const nopBin = resolve(import.meta.dirname, '..', '..', 'bin', 'nop.js');

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const sizes = (arg('--sizes') ?? '1000,10000,100000').split(',').map(Number);

const hasAnsible = async (): Promise<boolean> => {
  if (process.argv.includes('--no-ansible')) return false;
  return run('sh', ['-c', 'command -v ansible-inventory']).then(
    () => true,
    () => false,
  );
};

// wall seconds of one `--list` (its JSON discarded); both tools read the same file
const timeList = async (cmd: string, args: string[]): Promise<number> => {
  const start = process.hrtime.bigint();
  await run(cmd, [...args, '--list'], { maxBuffer: 2 ** 31 - 1, env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' } });
  return Number(process.hrtime.bigint() - start) / 1e9;
};

const row = (cells: (string | number)[]) => console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 8 : 13)).join(''));

const main = async () => {
  const ansible = await hasAnsible();
  if (!ansible) console.log('(ansible-inventory not found: apt-get install -y ansible-core to compare; nop alone)\n');
  const dir = await mkdtemp(join(tmpdir(), 'nop-bench-inventory-'));
  try {
    // nop's start and an empty listing: what every size pays once
    const empty = join(dir, 'empty.yml');
    await writeFile(empty, 'all: {}\n');
    const start = await timeList(process.execPath, [nopBin, 'inventory', '-i', empty]);
    console.log(`nop start (an empty inventory): ${start.toFixed(2)} s\n`);
    row(['hosts', 'format', 'nop s', 'nop µs/host', ...(ansible ? ['ansible s', 'nop/ansible'] : [])]);
    for (const n of sizes) {
      for (const [format, text] of [
        ['yaml', inventoryYaml(n)],
        ['ini', inventoryIni(n)],
      ] as const) {
        const file = join(dir, `hosts-${n}.${format === 'yaml' ? 'yml' : 'ini'}`);
        await writeFile(file, text);
        const nop = await timeList(process.execPath, [nopBin, 'inventory', '-i', file]);
        const theirs = ansible ? await timeList('ansible-inventory', ['-i', file]) : undefined;
        const perHost = (((nop - start) * 1e6) / n).toFixed(0);
        row([n, format, nop.toFixed(2), perHost, ...(theirs === undefined ? [] : [theirs.toFixed(2), (nop / theirs).toFixed(2)])]);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

await main();
