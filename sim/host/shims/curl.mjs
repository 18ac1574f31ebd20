#!/usr/bin/env node
// curl: the real curl, with URLs to a port the Gonka simulator publishes on this host (loopback, its private
// or public address) sent where it really listens (shifted by the host's port offset); any other URL goes out
// unchanged. Config read with `-K -` (the uri module's way of keeping URLs and bodies off the command line) is
// rewritten the same way. Served by the host's shim server: the client then execs the real curl itself.
import { accessSync, closeSync, constants, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHostSettings } from '../../gonka/host-settings.mjs';
import { command, execInstead, exit, readStdin } from './lib/io.mjs';
import { DOCKER_STATE_DIR } from './lib/state.mjs';

// the host ports the simulator's running projects publish
const published = () => {
  const dir = join(DOCKER_STATE_DIR, 'gonka-sim');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name, 'project.json');
    if (!existsSync(file)) return [];
    return Object.values(JSON.parse(readFileSync(file, 'utf8')).services ?? {})
      .flatMap((svc) => svc.ports ?? [])
      .filter((p) => p.protocol !== 'udp');
  });
};

// the real curl: an executable on PATH that is neither this shim nor a shim client (shim-server.ts: its first lines
// say so)
const CLIENT_MARK = "answered by the host's shim server";
const me = realpathSync(fileURLToPath(import.meta.url));
const isRealCurl = (file) => {
  try {
    accessSync(file, constants.X_OK);
    if (realpathSync(file) === me) return false;
    const head = Buffer.alloc(200);
    const fd = openSync(file, 'r');
    try {
      return !head
        .subarray(0, readSync(fd, head, 0, 200, 0))
        .toString()
        .includes(CLIENT_MARK);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
};

export default command((args) => {
  const settings = readHostSettings(DOCKER_STATE_DIR);
  const offset = settings.portOffset;
  const own = new Set(['localhost', settings.privateAddr, settings.publicAddr]);
  const isOwn = (host) => own.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

  const shift = (url) => {
    if (!offset) return url;
    try {
      const u = new URL(url);
      if (!/^https?:$/.test(u.protocol) || !isOwn(u.hostname)) return url;
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
      const target = published().find((p) => p.hostPort === port && (p.listenAddress === host || (p.public && isOwn(host))));
      if (!target) return url;
      u.hostname = target.listenAddress;
      u.port = String(target.listenPort);
      return u.toString();
    } catch {
      return url;
    }
  };

  const shiftConfig = (text) => text.replace(/^(url\s*=\s*")((?:[^"\\]|\\.)*)(")/gm, (_, a, url, b) => `${a}${shift(url.replace(/\\(.)/g, '$1'))}${b}`);

  // The simulated machine reaches loopback only (as the machines it runs on): curl to anywhere else fails as
  // an offline curl does, before anything is sent.
  const refuseRemote = (urls) => {
    for (const url of urls) {
      const host = (() => {
        try {
          return new URL(url).hostname;
        } catch {
          return 'localhost';
        }
      })();
      if (host !== 'localhost' && !isOwn(host)) exit(6, `curl: (6) Could not resolve host: ${host}`);
    }
  };

  const configFromStdin = args.some((a, i) => (a === '-K' || a === '--config') && args[i + 1] === '-');
  const input = configFromStdin ? shiftConfig(readStdin()) : undefined;
  // of the config's URLs too, the network ones (a file:// URL, as on the command line, is read here)
  const configUrls = [...(input ?? '').matchAll(/^url\s*=\s*"((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]);
  refuseRemote([...args, ...configUrls].filter((a) => /^https?:\/\//.test(a)));
  const real = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir || '.', 'curl'))
    .find(isRealCurl);
  const notFound = () => [127, 'sh: 1: curl: not found'];
  if (!real) exit(...notFound());
  execInstead([real, ...args.map((a) => (/^https?:\/\//.test(a) ? shift(a) : a))], { input, notFound });
});
