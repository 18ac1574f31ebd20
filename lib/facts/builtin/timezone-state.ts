import { defineFact } from '../fact.js';

/** The host's time zone and hardware clock mode, and whether timedatectl manages them. */
export interface TimezoneState {
  systemd: boolean;
  /** timedatectl's full path (Ansible's messages name it) */
  tool: string;
  name: string;
  /** the RTC keeps local time (else UTC) */
  rtcLocal: boolean;
}

export const timezoneState = defineFact<void, TimezoneState>({
  name: 'timezone_state',
  // as Ansible's timezone: timedatectl when it answers, else Debian's files (/etc/timezone, /etc/localtime, /etc/adjtime)
  command: () => `if out=$(timedatectl status 2>/dev/null); then echo systemd; command -v timedatectl; printf '%s\\n' "$out"
else echo files; cat /etc/timezone 2>/dev/null || readlink /etc/localtime | sed 's|.*/zoneinfo/||'; sed -n 3p /etc/adjtime 2>/dev/null; fi`,
  parse: ({ stdout }, args) => {
    const lines = stdout.split('\n');
    if (lines[0] === 'systemd') {
      const name = /^\s*Time ?zone\s*:\s*(\S+)/m.exec(stdout)?.[1] ?? '';
      const rtc = /^\s*RTC in local TZ\s*:\s*(\S+)/m.exec(stdout)?.[1] ?? 'no';
      return args.map(() => ({ systemd: true, tool: lines[1] ?? 'timedatectl', name, rtcLocal: ['yes', 'true', '1', 'on'].includes(rtc.toLowerCase()) }));
    }
    return args.map(() => ({ systemd: false, tool: '', name: (lines[1] ?? '').trim(), rtcLocal: (lines[2] ?? '').trim() === 'LOCAL' }));
  },
  key: () => 'timezone',
});
