import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A user's password hash and expiry from /etc/shadow (root only); null when the user has no entry. */
export interface ShadowEntry {
  hash: string;
  /** days since the epoch; -1 for none */
  expires: number;
}

/** Users' shadow entries, one getent for all of them; reading them needs root (become). */
export const shadowEntry = defineFact<string, ShadowEntry | null>({
  name: 'shadow_entry',
  command: (names) => `[ -r /etc/shadow ] || { echo 'cannot read /etc/shadow: become root (become: true)' >&2; exit 77; }
getent shadow -- ${shellJoin(names)}; true`,
  parse: ({ stdout, rc }, names) => {
    if (rc === 77) return names.map(() => new Error('cannot read /etc/shadow: the password hash needs root (become: true)'));
    const found = new Map<string, ShadowEntry>();
    for (const line of stdout.split('\n')) {
      const f = line.split(':');
      if (f.length < 8) continue;
      found.set(f[0], { hash: f[1], expires: f[7] === '' ? -1 : Number(f[7]) });
    }
    return names.map((n) => found.get(n) ?? null);
  },
  key: (name) => name,
});
