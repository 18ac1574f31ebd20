import { createServer, connect as tcpConnect, type Socket } from 'node:net';

/**
 * A TCP forwarder to `target` that lets only the first `budget` bytes from clients through and holds the rest
 * until `release()`: a transfer can be stopped part way, deterministically, whatever the machine's speed.
 * Replies (target → client) always pass.
 */
export interface TcpGate {
  address: string;
  port: number;
  /** bytes held back so far */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

export const startTcpGate = async (target: { host: string; port: number }, budget: number, address = '127.0.0.1'): Promise<TcpGate> => {
  let allowance = budget;
  const waiting: { chunk: Buffer; upstream: Socket }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(target);
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (waiting.length === 0 && chunk.length <= allowance) {
        allowance -= chunk.length;
        upstream.write(chunk);
        return;
      }
      const pass = waiting.length === 0 ? Math.max(0, Math.min(allowance, chunk.length)) : 0;
      if (pass > 0) upstream.write(chunk.subarray(0, pass));
      allowance -= pass;
      waiting.push({ chunk: chunk.subarray(pass), upstream });
    });
    client.on('end', () => (allowance === Number.POSITIVE_INFINITY ? upstream.end() : waiting.push({ chunk: Buffer.alloc(0), upstream })));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as { port: number };
  return {
    address,
    port,
    held: () => waiting.reduce((n, w) => n + w.chunk.length, 0),
    release: () => {
      allowance = Number.POSITIVE_INFINITY;
      for (const w of waiting.splice(0)) {
        if (w.chunk.length === 0) w.upstream.end();
        else w.upstream.write(w.chunk);
      }
    },
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
