import { defineFact } from '../fact.js';

/** The host's names: the kernel's (transient), the configured one (static), its FQDN, and how to change them. */
export interface HostName {
  current: string;
  permanent: string;
  fqdn: string;
  /** systemd manages the host: hostnamectl sets the names (otherwise /etc/hostname and hostname(1)) */
  systemd: boolean;
}

export const hostName = defineFact<void, HostName>({
  name: 'host_name',
  command: () => `if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null 2>&1; then
  echo systemd; hostnamectl --transient status; hostnamectl --static status
else
  echo files; hostname; sed -n 1p /etc/hostname 2>/dev/null || echo
fi
hostname -f 2>/dev/null || hostname`,
  parse: ({ stdout }, args) => {
    const [kind, current = '', permanent = '', fqdn = ''] = stdout.split('\n').map((l) => l.trim());
    return args.map(() => ({ current, permanent, fqdn, systemd: kind === 'systemd' }));
  },
  key: () => 'hostname',
});
