import { defineFact } from '../fact.js';

export interface TcpPorts {
  /** ports some process listens on (IPv4 or IPv6) */
  listening: number[];
  /** host ports Docker publishes for its containers */
  published: number[];
}

const LISTEN = '0A';

// the kernel's tables need no ss or netstat; docker ps tells which listeners are published container ports
const SCRIPT = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk 'NR>1 {print "tcp " $2 " " $4}'
command -v docker >/dev/null 2>&1 && docker ps --format '{{.Ports}}' 2>/dev/null | tr ',' '\\n' | sed -n 's/.*:\\([0-9]*\\)->.*/docker \\1/p'
true`;

/** The host's listening TCP ports, and which of them Docker publishes. */
export const tcpPorts = defineFact<void, TcpPorts>({
  name: 'tcp_ports',
  command: () => SCRIPT,
  parse: ({ stdout }, args) => {
    const listening = new Set<number>();
    const published = new Set<number>();
    for (const line of stdout.split('\n')) {
      const [kind, a, b] = line.trim().split(' ');
      if (kind === 'tcp' && b === LISTEN) listening.add(Number.parseInt(a.split(':').at(-1) ?? '', 16));
      if (kind === 'docker') published.add(Number(a));
    }
    return args.map(() => ({ listening: [...listening], published: [...published] }));
  },
  key: () => 'tcp_ports',
});
