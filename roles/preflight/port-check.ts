import { tcpPorts } from '../../lib/facts/builtin/tcp-ports.js';
import { request } from '../../lib/facts/fact.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { PreflightVars } from './vars.js';

/** The ports nop publishes are free: a listener there is another service, unless Docker publishes it (an earlier run's Gonka containers). */
export const portCheck: Precondition<PreflightVars> = {
  name: 'Ports nop publishes are free',
  facts: () => [request(tcpPorts, undefined)],
  invalidates: [],
  run: async (ctx, v) => {
    const ports = await ctx.facts.read(tcpPorts, undefined);
    const busy = new Set(ports.listening.filter((p) => !ports.published.includes(p)));
    const taken = v.preflight_ports.filter((p) => busy.has(p));
    if (taken.length === 0) return { changed: false, msg: `ports ${v.preflight_ports.join(', ')} are free` };
    return {
      changed: false,
      failed: true,
      ports: taken,
      msg: `port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} already in use by another service: nop publishes the Gonka containers there. Find the process with \`ss -ltnp 'sport = :${taken[0]}'\` and stop it, or move it to another port`,
    };
  },
};
