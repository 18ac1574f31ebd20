import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { versionsCommand } from '../../lib/cli/versions-command.js';
import { loadVersions, versionsFile } from '../../lib/gonka/versions.js';

let dir: string;
let file: string;
let server: Server | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-versions-'));
  file = join(dir, 'versions.yml');
  await copyFile(versionsFile(), file);
});
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const serve = async (status: number, body: unknown): Promise<string> => {
  server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/repos/gonka-ai/gonka/releases/latest`;
};

describe('nop versions', () => {
  it('prints the pinned versions as JSON', async () => {
    const out: string[] = [];
    expect(await versionsCommand({ json: true, file, out: (t) => out.push(t) })).toBe(0);
    expect(JSON.parse(out[0])).toEqual(await loadVersions(file));
  });

  it('--refresh rewrites the release components atomically and keeps a backup', async () => {
    const before = await readFile(file, 'utf8');
    const source = await serve(200, { tag_name: 'release/v0.2.16' });
    const out: string[] = [];
    expect(await versionsCommand({ refresh: true, source, file, out: (t) => out.push(t) })).toBe(0);
    const after = await loadVersions(file);
    expect(after).toMatchObject({
      release: 'v0.2.16',
      node: '0.2.16',
      api: '0.2.16',
      edge_api: '0.2.16',
      versiond: '0.2.16',
      proxy: '0.2.16',
      proxy_ssl: '0.2.16',
      tmkms: '0.2.16',
      // the bridge, the ML node and nginx have their own release cycles
      bridge: '0.2.14-post3@sha256:06f1c8750941cd31c6f46ff037e0b43f71a9ba5a5e4c6b81da8c4d6748af67b5',
      mlnode: '3.0.14-post2',
      nginx: '1.28.0',
    });
    expect(await readFile(`${file}.bak`, 'utf8')).toBe(before);
    expect(out.join('\n')).toContain('node: 0.2.15 -> 0.2.16');
    const again: string[] = [];
    await versionsCommand({ refresh: true, source, file, out: (t) => again.push(t) });
    expect(again.join('\n')).toContain('up to date');
  });

  it('fails clearly when the source is unreachable or answers nonsense', async () => {
    const source = await serve(500, {});
    await expect(versionsCommand({ refresh: true, source, file, out: () => {} })).rejects.toThrow(/HTTP 500/);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    await expect(versionsCommand({ refresh: true, source, file, out: () => {} })).rejects.toThrow(/cannot read the latest release/);
    expect(await loadVersions(file)).toEqual(await loadVersions(versionsFile()));
  });
});
