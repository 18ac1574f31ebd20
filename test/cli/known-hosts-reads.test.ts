import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nopProcess } from './nop-cli.js';

// The compiled bin in its own process, with a preload that logs every fs.promises.readFile path to a file: vi.mock
// cannot count them here (the test projects share their module cache, so the CLI's modules may already be loaded).
const PRELOAD = `const fsp = require('node:fs/promises');
const { appendFileSync } = require('node:fs');
const readFile = fsp.readFile;
fsp.readFile = (path, ...rest) => {
  appendFileSync(process.env.NOP_TEST_READS_LOG, String(path) + '\\n');
  return readFile(path, ...rest);
};
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-known-hosts-reads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a run and known_hosts', () => {
  it('reads the known_hosts file once, however many hosts the run connects to', async () => {
    const knownHosts = join(dir, 'known_hosts');
    const log = join(dir, 'reads.log');
    await writeFile(knownHosts, '# no host of this run is known\n');
    await writeFile(join(dir, 'preload.cjs'), PRELOAD);
    await writeFile(log, '');
    await writeFile(join(dir, 'site.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n');
    // port 1 refuses: each host is tried (its host key policy read first) and found unreachable
    const hosts = ['h1', 'h2', 'h3', 'h4'].map((h) => `${h} ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody`);
    await writeFile(join(dir, 'inventory.ini'), `[all]\n${hosts.join('\n')}\n`);
    const env = { ...process.env, CI: '1', NODE_OPTIONS: `--require ${join(dir, 'preload.cjs')}`, NOP_TEST_READS_LOG: log };
    const res = await nopProcess(['run', 'site.yml', '-i', 'inventory.ini', '--known-hosts', knownHosts], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(4);
    const reads = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
    // the preload works: the run's own files were read through it
    expect(reads).toContain(join(dir, 'site.yml'));
    expect(reads.filter((path) => path === knownHosts)).toEqual([knownHosts]);
  });
});
