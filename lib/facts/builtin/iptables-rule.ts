import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A rule of the filter table: its chain and its match and target (`-p tcp … -j CHAIN`). */
export interface IptablesRule {
  chain: string;
  rule: string[];
}

/** Whether a rule is in its chain (`iptables -C`); a missing chain, or no iptables, is a missing rule. */
export const iptablesRule = defineFact<IptablesRule, boolean>({
  name: 'iptables_rule',
  command: (rules) => rules.map((r) => `iptables -w -C ${shellJoin([r.chain, ...r.rule])} >/dev/null 2>&1 && echo 1 || echo 0`).join('\n'),
  parse: ({ stdout }, rules) => {
    const lines = stdout.split('\n');
    return rules.map((_, i) => lines[i] === '1');
  },
  key: (r) => JSON.stringify([r.chain, ...r.rule]),
});
