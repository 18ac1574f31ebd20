import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A user's crontab as `crontab -l` prints it ('' for none); the argument is the user, '' for the reader itself. */
export const userCrontab = defineFact<string, string>({
  name: 'crontab',
  command: (users) =>
    users
      .map((u) => {
        const list = u === '' ? 'crontab -l' : `crontab -u ${shellJoin([u])} -l`;
        return `out=$(${list} 2>&1); rc=$?; printf '%s\\0%s\\0' "$rc" "$out"`;
      })
      .join('\n'),
  parse: ({ stdout }, users) => {
    const fields = stdout.split('\0');
    return users.map((u, i) => {
      const rc = fields[2 * i];
      const out = fields[2 * i + 1] ?? '';
      if (rc === '0') return out === '' ? '' : `${out}\n`;
      if (/no crontab/i.test(out)) return '';
      return new Error(`crontab -l${u ? ` -u ${u}` : ''} failed: ${out.trim()}`);
    });
  },
  key: (user) => user,
});
