import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { PreflightVars } from './vars.js';

const LISTEN = '0A';

// Listening TCP ports from the kernel's tables (no ss/netstat needed), and the host ports Docker publishes:
// those belong to the Gonka containers of an earlier run, not to a conflicting service.
const SCRIPT = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk 'NR>1 {print "tcp " $2 " " $4}'
command -v docker >/dev/null 2>&1 && docker ps --format '{{.Ports}}' 2>/dev/null | tr ',' '\\n' | sed -n 's/.*:\\([0-9]*\\)->.*/docker \\1/p'
true`;

/** Ports some process listens on, minus those Docker publishes. */
export const busyPorts = async (ctx: ModuleContext): Promise<Set<number>> => {
  const res = await ctx.exec(SCRIPT);
  const listening = new Set<number>();
  const published = new Set<number>();
  for (const line of res.stdout.split('\n')) {
    const [kind, a, b] = line.trim().split(' ');
    if (kind === 'tcp' && b === LISTEN) listening.add(Number.parseInt(a.split(':').at(-1) ?? '', 16));
    if (kind === 'docker') published.add(Number(a));
  }
  return new Set([...listening].filter((p) => !published.has(p)));
};

export const checkPorts = async (ctx: ModuleContext, v: PreflightVars): Promise<ModuleResult> => {
  const busy = await busyPorts(ctx);
  const taken = v.preflight_ports.filter((p) => busy.has(p));
  if (taken.length === 0) return { changed: false, msg: `ports ${v.preflight_ports.join(', ')} are free` };
  return {
    changed: false,
    failed: true,
    ports: taken,
    msg: `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use by another service: nop publishes the Gonka containers there. Find the process with \`ss -ltnp 'sport = :${taken[0]}'\` and stop it, or move it to another port`,
  };
};
