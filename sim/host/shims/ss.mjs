#!/usr/bin/env node
// ss -ltn[H]: the TCP sockets the Gonka simulator's containers listen on, as the host shows them: a port
// published on every interface appears as 0.0.0.0 (docker-proxy), the others on the address they bound.
// Ports are the published ones (the simulator's port offset is hidden, as curl's shim hides it).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { command, exit, out } from './lib/io.mjs';
import { DOCKER_STATE_DIR } from './lib/state.mjs';

export default command((argv) => {
  const args = argv;
  const flags = new Set(args.filter((a) => /^-[a-zA-Z]+$/.test(a)).flatMap((a) => [...a.slice(1)]));
  if (!flags.has('l') || !flags.has('t')) exit(1, 'ss (simulated): only listening TCP sockets (-ltn) are simulated');

  const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  const projects = join(DOCKER_STATE_DIR, 'gonka-sim');
  const sockets = [];
  for (const name of existsSync(projects) ? readdirSync(projects) : []) {
    const project = readJson(join(projects, name, 'project.json'));
    const runtime = readJson(join(projects, name, 'runtime.json'));
    const pid = Number(readJson(join(projects, name, 'daemon.pid')) ?? 0);
    if (!project || !runtime || !pid || !alive(pid)) continue;
    for (const svc of Object.values(project.services ?? {})) {
      const rt = runtime.services?.[svc.name];
      if (!rt || rt.error) continue;
      for (const p of svc.ports.filter((port) => port.protocol !== 'udp')) sockets.push(`${p.public ? '0.0.0.0' : p.listenAddress}:${p.hostPort}`);
    }
  }
  const rows = [...new Set(sockets)].map((local) => `LISTEN 0      4096   ${local.padEnd(21)} 0.0.0.0:*`);
  out([...(flags.has('H') ? [] : ['State  Recv-Q Send-Q Local Address:Port    Peer Address:Port']), ...rows].join('\n'));
});
