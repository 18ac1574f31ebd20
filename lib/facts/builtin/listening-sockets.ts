import { defineFact } from '../fact.js';

/** One listening TCP socket: its address (IPv6 without brackets or zone) and port. */
export interface Listener {
  address: string;
  port: number;
}

// `ss -ltnH`: State Recv-Q Send-Q Local:Port Peer:Port
export const parseSs = (stdout: string): Listener[] =>
  stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[0] === 'LISTEN' && cols.length >= 4)
    .map((cols) => {
      const local = cols[3];
      const cut = local.lastIndexOf(':');
      return {
        address: local
          .slice(0, cut)
          .replace(/^\[|\]$/g, '')
          .replace(/%\S+$/, ''),
        port: Number(local.slice(cut + 1)),
      };
    });

/** The host's listening TCP sockets (`ss -ltnH`); an Error when ss cannot tell. */
export const listeningSockets = defineFact<void, Listener[]>({
  name: 'listening_sockets',
  command: () => `out=$(ss -ltnH 2>&1); rc=$?; printf '%s\\n%s' "$rc" "$out"`,
  parse: ({ stdout }, args) => {
    const cut = stdout.indexOf('\n');
    const rc = Number(stdout.slice(0, cut < 0 ? undefined : cut));
    const text = cut < 0 ? '' : stdout.slice(cut + 1);
    return args.map(() => (rc === 0 ? parseSs(text) : new Error(`ss -ltnH failed (rc=${rc}): ${text.trim()}`)));
  },
  key: () => 'ss',
});
