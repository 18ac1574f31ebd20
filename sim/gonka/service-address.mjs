// Resolves a docker-network address (service name or hostname plus container port) to where
// the simulator actually listens, looking through every project started in the state dir.
import fs from 'node:fs';
import { readJson } from './json-file.mjs';
import { projectsDir, projectFile } from './sim-paths.mjs';
import { readHostSettings } from './host-settings.mjs';
import path from 'node:path';

export function resolveAddress(stateDir, host, containerPort) {
  for (const project of listProjects(stateDir)) {
    for (const svc of Object.values(project.services ?? {})) {
      if (![svc.name, svc.hostname, svc.containerName].includes(host)) continue;
      const port = svc.ports.find((p) => p.containerPort === Number(containerPort) && p.protocol !== 'udp');
      if (port) return { host: port.listenAddress, port: port.listenPort };
    }
  }
  const { portOffset, privateAddr } = readHostSettings(stateDir);
  if (host === 'localhost') return { host: '127.0.0.1', port: Number(containerPort) + portOffset };
  // each simulated server may have its own loopback address (127.0.0.N) as its private address
  if (/^127\./.test(host)) return { host, port: Number(containerPort) + portOffset };
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return { host: privateAddr, port: Number(containerPort) + portOffset };
  return undefined;
}

function listProjects(stateDir) {
  const dir = projectsDir(stateDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => readJson(projectFile(path.join(dir, name)), undefined))
    .filter(Boolean);
}

// Rewrites a URL that names a docker-network host (or a container's localhost) into the
// simulator's listening address; literal IPs are taken to be real host addresses already.
export function resolveUrl(stateDir, url) {
  const u = new URL(url.replace(/^tcp:\/\//, 'http://'));
  if (/^[\d.]+$/.test(u.hostname)) return u.toString();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const target = resolveAddress(stateDir, u.hostname, port);
  if (!target) return u.toString();
  u.hostname = target.host;
  u.port = String(target.port);
  return u.toString();
}
