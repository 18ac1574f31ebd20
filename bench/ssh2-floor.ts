/**
 * The floor any SSH-based tool built on ssh2 (the library nop uses) stands on: a Node.js process that loads
 * ssh2, connects to every host at once (host key checked against known_hosts, key authentication) and runs one
 * command on each. bench/fleet.ts times it beside nop. Usage: node dist/bench/ssh2-floor.js HOSTS.json
 * HOSTS.json: { "key": private key file, "knownHosts": file, "timeoutMs": handshake timeout, "hosts": [{ "address", "port", "user" }] }
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';

interface Channel extends Readable {
  stderr: Readable;
}
interface Client extends EventEmitter {
  connect(config: Record<string, unknown>): void;
  exec(command: string, cb: (err: Error | undefined, channel: Channel) => void): void;
  end(): void;
}

// ssh2 ships no types; this is the part of its API the floor uses
const { Client } = createRequire(import.meta.url)('ssh2') as { Client: new () => Client };

interface Floor {
  key: string;
  knownHosts: string;
  timeoutMs: number;
  hosts: { address: string; port: number; user: string }[];
}

const floor = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Floor;
const privateKey = readFileSync(floor.key);
const known = new Map(
  readFileSync(floor.knownHosts, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, , base64] = line.split(' ');
      return [name, Buffer.from(base64, 'base64')] as const;
    }),
);

const runOne = (h: Floor['hosts'][number]): Promise<void> =>
  new Promise((resolve, reject) => {
    const client = new Client();
    client.on('error', reject);
    client.on('ready', () =>
      client.exec('true', (err, channel) => {
        if (err) return reject(err);
        channel.stderr.resume();
        channel.resume();
        channel.on('close', (code: number) => {
          client.end();
          if (code === 0) resolve();
          else reject(new Error(`${h.address}:${h.port}: exit ${code}`));
        });
      }),
    );
    client.connect({
      host: h.address,
      port: h.port,
      username: h.user,
      privateKey,
      readyTimeout: floor.timeoutMs,
      hostVerifier: (key: Buffer) => known.get(`[${h.address}]:${h.port}`)?.equals(key) ?? false,
    });
  });

await Promise.all(floor.hosts.map(runOne));
