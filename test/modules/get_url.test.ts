import { createHash, randomBytes } from 'node:crypto';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getUrlModule } from '../../lib/modules/builtin/get_url.js';
import { countingTransport, makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';
import { serveRanges, startServer, type TestServer } from './http-server.js';

const content = randomBytes(200_000);
const sha = createHash('sha256').update(content).digest('hex');
let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/model.bin') return serveRanges(req, res, content);
    // a server without range support answers a resume with the whole file
    if (req.url === '/plain.bin') return void res.writeHead(200).end(content);
    if (req.url === '/private.bin') {
      if (req.headers.authorization !== 'Bearer s3cret') return void res.writeHead(403).end();
      return void res.writeHead(200).end('private\n');
    }
    res.writeHead(404).end();
  });
});
afterAll(() => server.close());

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
  server.requests.length = 0;
});
afterEach(() => removeDir(dir));

const modeOf = async (p: string) => ((await lstat(p)).mode & 0o7777).toString(8);

describe('get_url', () => {
  it('downloads once, verified, with mode; a present file with the right checksum costs no request', async () => {
    const dest = join(dir, 'model.bin');
    const args = { url: `${server.url}/model.bin`, dest, checksum: `sha256:${sha}`, mode: '0640' };
    const first = await runModule(getUrlModule, args);
    // as Ansible reports them: SHA-1 of what arrived, of what dest held before (nothing), the HTTP status and size
    const sha1 = createHash('sha1').update(content).digest('hex');
    expect(first).toMatchObject({ changed: true, dest, checksum_src: sha1, checksum_dest: null, status_code: 200, msg: `OK (${content.length} bytes)` });
    expect(first.diff).toEqual([{ path: dest, before: '', after: `sha256: ${sha}\n` }]);
    expect((await readFile(dest)).equals(content)).toBe(true);
    expect(await modeOf(dest)).toBe('640');
    expect(await snapshotDir(dir)).toEqual({ 'model.bin': expect.stringMatching(/^file 640 /) });
    const second = await runModule(getUrlModule, args);
    expect(second.changed).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('resumes an interrupted download from dest.part', async () => {
    const dest = join(dir, 'model.bin');
    await writeFile(`${dest}.part`, content.subarray(0, 50_000));
    const res = await runModule(getUrlModule, { url: `${server.url}/model.bin`, dest, checksum: `sha256:${sha}` });
    expect(res.changed).toBe(true);
    expect(server.requests.map((r) => r.headers.range)).toEqual(['bytes=50000-']);
    expect((await readFile(dest)).equals(content)).toBe(true);
  });

  it('finishes when the part is already complete', async () => {
    const dest = join(dir, 'model.bin');
    await writeFile(`${dest}.part`, content);
    const res = await runModule(getUrlModule, { url: `${server.url}/model.bin`, dest, checksum: `sha256:${sha}` });
    expect(res.changed).toBe(true);
    expect((await readFile(dest)).equals(content)).toBe(true);
  });

  it('starts over when the server cannot resume', async () => {
    const dest = join(dir, 'plain.bin');
    await writeFile(`${dest}.part`, content.subarray(0, 10));
    const res = await runModule(getUrlModule, { url: `${server.url}/plain.bin`, dest, checksum: `sha256:${sha}` });
    expect(res.changed).toBe(true);
    expect((await readFile(dest)).equals(content)).toBe(true);
  });

  it('fails on a checksum mismatch and leaves neither dest nor the part', async () => {
    const dest = join(dir, 'model.bin');
    const wrong = 'a'.repeat(64);
    const res = await runModule(getUrlModule, { url: `${server.url}/model.bin`, dest, checksum: `sha256:${wrong}` });
    expect(res).toMatchObject({ failed: true, changed: false, checksum_src: sha });
    expect(res.msg).toBe(`The checksum for ${dest} did not match ${wrong}; it was ${sha}.`);
    expect(await snapshotDir(dir)).toEqual({});
  });

  it('fails on an HTTP error', async () => {
    const res = await runModule(getUrlModule, { url: `${server.url}/missing`, dest: join(dir, 'x') });
    expect(res).toMatchObject({ failed: true, changed: false });
    expect(res.msg).toMatch(/^Request failed: curl: \(22\).*404/);
  });

  it('sends headers from stdin, never on the command line, and names the file after the URL in a directory', async () => {
    const transport = countingTransport();
    const res = await runModule(getUrlModule, { url: `${server.url}/private.bin`, dest: dir, headers: { Authorization: 'Bearer s3cret' } }, { transport });
    expect(transport.scripts.some((s) => s.includes('s3cret') || s.includes(server.url))).toBe(false);
    expect(res).toMatchObject({ changed: true, dest: join(dir, 'private.bin') });
    expect(await readFile(join(dir, 'private.bin'), 'utf8')).toBe('private\n');
    // without a checksum an existing file is kept; force downloads and compares
    expect((await runModule(getUrlModule, { url: `${server.url}/private.bin`, dest: dir, headers: { Authorization: 'Bearer s3cret' } })).changed).toBe(false);
    const forced = await runModule(getUrlModule, { url: `${server.url}/private.bin`, dest: dir, force: true, headers: { Authorization: 'Bearer s3cret' } });
    expect(forced).toMatchObject({ changed: false, msg: 'OK (8 bytes)', status_code: 200 });
    expect(server.requests).toHaveLength(2);
  });

  it('check mode downloads nothing and writes nothing', async () => {
    const before = await snapshotDir(dir);
    const res = await runModule(getUrlModule, { url: `${server.url}/model.bin`, dest: join(dir, 'm'), checksum: `sha256:${sha}` }, { check: true });
    expect(res).toMatchObject({ changed: true, diff: [{ before: '', after: `sha256: ${sha}\n` }] });
    expect(server.requests).toHaveLength(0);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('validates the checksum format', () => {
    expect(() => getUrlModule.args.parse({ url: 'http://127.0.0.1/x', dest: '/x', checksum: 'md5:abc' })).toThrow(/sha256/);
  });
});
