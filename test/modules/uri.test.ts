import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uriModule } from '../../lib/modules/builtin/uri.js';
import { LOCAL_INVENTORY, results, workspace } from '../runner/helpers.js';
import { countingTransport, runModule } from './helpers.js';
import { startServer, type TestServer } from './http-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res, body) => {
    if (req.url === '/chain-rpc/status') {
      return void res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ result: { sync_info: { latest_block_height: '1200', catching_up: false } } }));
    }
    if (req.url === '/admin/v1/nodes' && req.method === 'POST') {
      return void res.writeHead(201, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify({ received: JSON.parse(body) }));
    }
    if (req.url === '/text') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('pong\n');
    res.writeHead(500).end('boom');
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

describe('uri', () => {
  it('GETs JSON from the host and parses it, changing nothing', async () => {
    const res = await runModule(uriModule, { url: `${server.url}/chain-rpc/status` });
    expect(res).toMatchObject({ changed: false, status: 200, json: { result: { sync_info: { latest_block_height: '1200' } } } });
    expect(res).not.toHaveProperty('content');
    expect(res.failed).toBeUndefined();
  });

  it('POSTs a JSON body through stdin, never on the command line', async () => {
    const transport = countingTransport();
    const body = { url: 'http://mlnode:8080', api_key: 'topsecret' };
    const res = await runModule(
      uriModule,
      { url: `${server.url}/admin/v1/nodes`, method: 'POST', body, body_format: 'json', status_code: [200, 201], headers: { 'X-Token': 'hdr-secret' } },
      { transport },
    );
    expect(res).toMatchObject({ status: 201, json: { received: body } });
    expect(server.requests[0]).toMatchObject({ method: 'POST', body: JSON.stringify(body) });
    expect(server.requests[0].headers).toMatchObject({ 'content-type': 'application/json', 'x-token': 'hdr-secret' });
    expect(transport.scripts.some((s) => /topsecret|hdr-secret|admin/.test(s))).toBe(false);
  });

  it('returns content when asked', async () => {
    expect(await runModule(uriModule, { url: `${server.url}/text`, return_content: true })).toMatchObject({ content: 'pong\n', content_type: 'text/plain' });
  });

  it('fails on an unexpected status, and with status -1 when nothing answers', async () => {
    expect(await runModule(uriModule, { url: `${server.url}/nope` })).toMatchObject({ failed: true, status: 500, msg: 'Status code was 500 and not [200]' });
    const dead = await startServer((_q, r) => void r.end());
    await dead.close();
    const res = await runModule(uriModule, { url: dead.url, timeout: 5 });
    expect(res).toMatchObject({ failed: true, status: -1 });
    expect(res.msg).toMatch(/^Status code was -1 and not \[200\]: Request failed: /);
  });

  it('check mode reads but does not send requests that may change something', async () => {
    expect(await runModule(uriModule, { url: `${server.url}/admin/v1/nodes`, method: 'POST', body: {}, body_format: 'json' }, { check: true })).toMatchObject({
      skipped: true,
      changed: false,
    });
    expect(server.requests).toHaveLength(0);
    expect(await runModule(uriModule, { url: `${server.url}/text`, method: 'HEAD' }, { check: true })).toMatchObject({ status: 200, changed: false });
    expect(server.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('validates its arguments', () => {
    expect(() => uriModule.args.parse({ url: 'file:///etc/passwd' })).toThrow(/http/);
    expect(uriModule.args.parse({ url: 'http://127.0.0.1', status_code: '204' }).status_code).toEqual([204]);
  });
});

describe('uri in check mode', () => {
  it("as a playbook task is skipped with Ansible's message and sends nothing; code calling it still GETs", async () => {
    const ws = await workspace();
    try {
      await ws.write('inventory.yml', LOCAL_INVENTORY);
      await ws.write('site.yml', `- hosts: alpha\n  gather_facts: false\n  tasks:\n    - uri: { url: "${server.url}/text" }\n      register: r\n`);
      const run = await ws.run('site.yml', { check: true });
      expect(results(run.events).map((e) => [e.status, e.result.msg])).toEqual([['skipped', 'remote module (ansible.legacy.uri) does not support check mode']]);
      expect(server.requests).toEqual([]);
    } finally {
      await ws.cleanup();
    }
    expect(await runModule(uriModule, { url: `${server.url}/text` }, { check: true })).toMatchObject({ status: 200 });
    expect(server.requests).toHaveLength(1);
  });
});
