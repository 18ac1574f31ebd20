import { shellJoin, shellQuote } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A rule of the filter table: its chain and its match and target (`-p tcp … -j CHAIN`). */
export interface IptablesRule {
  chain: string;
  rule: string[];
}

/** The rule as `iptables -S` prints it when written in iptables' own order and forms (a word with a space quoted). */
export const listedLine = (r: IptablesRule): string => ['-A', r.chain, ...r.rule].map((t) => (/\s/.test(t) ? `"${t}"` : t)).join(' ');

/**
 * Whether each rule is in its chain. One `iptables -S` lists the filter table and the shell finds each rule's line
 * in it (`case`, no process); only a rule written in another form than iptables prints it (`-s 10.1.2.3` for
 * `10.1.2.3/32`) is asked with `iptables -C`, iptables' own comparison. A missing chain, or no iptables, is a
 * missing rule.
 */
export const iptablesRule = defineFact<IptablesRule, boolean>({
  name: 'iptables_rule',
  command: (rules) =>
    [
      `listed="\n$(iptables -w -S 2>/dev/null)\n"`,
      ...rules.map(
        (r) =>
          `case "$listed" in *${shellQuote(`\n${listedLine(r)}\n`)}*) echo 1 ;; *) iptables -w -C ${shellJoin([r.chain, ...r.rule])} >/dev/null 2>&1 && echo 1 || echo 0 ;; esac`,
      ),
    ].join('\n'),
  parse: ({ stdout }, rules) => {
    const lines = stdout.split('\n');
    return rules.map((_, i) => lines[i] === '1');
  },
  key: (r) => JSON.stringify([r.chain, ...r.rule]),
});
