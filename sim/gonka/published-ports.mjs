// The ports running simulated projects publish, seen two ways: as docker binds them on the host
// (what `ss` reports) and where the simulator really listens (where `curl` must go).
import fs from 'node:fs';
import path from 'node:path';
import { readJson } from './json-file.mjs';
import { projectsDir, projectFile, runtimeFile, pidFile } from './sim-paths.mjs';

const alive = (dir) => {
  const pid = Number(readJson(pidFile(dir), 0));
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export function publishedPorts(stateDir) {
  const root = projectsDir(stateDir);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((name) => path.join(root, name))
    .filter(alive)
    .flatMap((dir) => {
      const project = readJson(projectFile(dir), { services: {} });
      const runtime = readJson(runtimeFile(dir), { services: {} });
      return Object.values(project.services)
        .filter((svc) => runtime.services[svc.name] && !runtime.services[svc.name].error)
        .flatMap((svc) => svc.ports.map((p) => ({ ...p, bindAddress: p.public ? '0.0.0.0' : p.hostIp, service: svc.name })));
    });
}

// The simulator's real listening address for a host address and port as docker would publish them.
export function listenTargetOf(stateDir, host, port) {
  const matches = publishedPorts(stateDir).filter((p) => p.hostPort === Number(port) && p.protocol !== 'udp');
  const exact = matches.find((p) => p.bindAddress === host);
  const wildcard = matches.find((p) => p.bindAddress === '0.0.0.0');
  const hit = exact ?? wildcard;
  return hit ? { host: hit.listenAddress, port: hit.listenPort } : undefined;
}
