#!/usr/bin/env node
// curl: the real curl, with URLs to a port the Gonka simulator publishes on this host (loopback, its private
// or public address) sent where it really listens (shifted by the host's port offset); any other URL goes out
// unchanged. Config read with `-K -` (the uri module's way of keeping URLs and bodies off the command line) is
// rewritten the same way.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHostSettings } from '../../gonka/host-settings.mjs';
import { DOCKER_STATE_DIR } from './lib/state.mjs';

const settings = readHostSettings(DOCKER_STATE_DIR);
const offset = settings.portOffset;
const own = new Set(['localhost', settings.privateAddr, settings.publicAddr]);
const isOwn = (host) => own.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

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

// the real curl: the first on PATH that is not this shim
const realCurl = () => {
  const me = realpathSync(fileURLToPath(import.meta.url));
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'curl');
    try {
      accessSync(candidate, constants.X_OK);
      if (realpathSync(candidate) !== me && dirname(realpathSync(candidate)) !== dirname(me)) return candidate;
    } catch {
      // not in this directory
    }
  }
  process.stderr.write('sh: 1: curl: not found\n');
  process.exit(127);
};

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
    if (host === 'localhost' || isOwn(host)) continue;
    process.stderr.write(`curl: (6) Could not resolve host: ${host}\n`);
    process.exit(6);
  }
};

const args = process.argv.slice(2);
const configFromStdin = args.some((a, i) => (a === '-K' || a === '--config') && args[i + 1] === '-');
const input = configFromStdin ? shiftConfig(readFileSync(0, 'utf8')) : undefined;
refuseRemote([...args.filter((a) => /^https?:\/\//.test(a)), ...[...(input ?? '').matchAll(/^url\s*=\s*"((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1])]);
const res = spawnSync(
  realCurl(),
  args.map((a) => (/^https?:\/\//.test(a) ? shift(a) : a)),
  {
    stdio: [configFromStdin ? 'pipe' : 'inherit', 'inherit', 'inherit'],
    input,
  },
);
process.exit(res.status ?? 1);
