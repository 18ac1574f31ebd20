import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// every readFile of the run, so the test can count those of the known_hosts file
const reads = vi.hoisted(() => [] as string[]);
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((path: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => {
    reads.push(String(path));
    return (fs.readFile as (...args: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFile;
  return { ...fs, readFile, default: { ...fs, readFile } };
});

const { main } = await import('../../lib/cli/main.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-known-hosts-reads-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a run and known_hosts', () => {
  it('reads the known_hosts file once, however many hosts the run connects to', async () => {
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, '# no host of this run is known\n');
    await writeFile(join(dir, 'site.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n');
    // port 1 refuses: each host is tried (its host key policy read first) and found unreachable
    const hosts = ['h1', 'h2', 'h3', 'h4'].map((h) => `${h} ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody`);
    await writeFile(join(dir, 'inventory.ini'), `[all]\n${hosts.join('\n')}\n`);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['run', join(dir, 'site.yml'), '-i', join(dir, 'inventory.ini'), '--known-hosts', knownHosts])).toBe(4);
    } finally {
      out.mockRestore();
    }
    expect(reads.filter((path) => path === knownHosts)).toEqual([knownHosts]);
  });
});
