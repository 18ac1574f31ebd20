/** `--every 15m|2h|1d` as the five crontab time fields. */
export const cronSchedule = (every: string): string => {
  const m = /^(\d+)([mhd])$/.exec(every.trim());
  if (!m) throw new Error(`--every expects minutes, hours or days such as 15m, 2h, 1d; got "${every}"`);
  const n = Number(m[1]);
  const unit = m[2];
  const fits = (max: number) => n >= 1 && max % n === 0;
  if (unit === 'm' && fits(60)) return n === 60 ? '0 * * * *' : `*/${n} * * * *`;
  if (unit === 'h' && fits(24)) return n === 24 ? '0 0 * * *' : `0 */${n} * * *`;
  if (unit === 'd' && n === 1) return '0 0 * * *';
  throw new Error(`--every ${every}: cron repeats evenly only for divisors of an hour (m), of a day (h), or 1d`);
};

/** `--every` as a systemd OnCalendar= expression firing at the same times as its crontab schedule. */
export const systemdCalendar = (every: string): string => {
  const [minute, hour] = cronSchedule(every).split(' ');
  const field = (f: string) => (f === '*' ? '*' : f.startsWith('*/') ? `00/${f.slice(2)}` : f.padStart(2, '0'));
  return `*-*-* ${field(hour)}:${field(minute)}:00`;
};
