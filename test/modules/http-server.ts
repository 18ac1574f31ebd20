import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** An HTTP server on 127.0.0.1 (a free port) that records every request. */
export const startServer = async (handler: Handler): Promise<TestServer> => {
  const requests: TestServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** Serve a body, honouring `Range: bytes=N-` as a real file server does. */
export const serveRanges = (req: IncomingMessage, res: ServerResponse, content: Buffer): void => {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (!range) {
    res.writeHead(200, { 'Content-Length': content.length, 'Accept-Ranges': 'bytes' }).end(content);
    return;
  }
  const start = Number(range[1]);
  if (start >= content.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${content.length}` }).end();
    return;
  }
  res
    .writeHead(206, { 'Content-Length': content.length - start, 'Content-Range': `bytes ${start}-${content.length - 1}/${content.length}` })
    .end(content.subarray(start));
};
