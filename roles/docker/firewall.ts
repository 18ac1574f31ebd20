import { iptablesRule, type IptablesRule } from '../../lib/facts/builtin/iptables-rule.js';
import { request } from '../../lib/facts/fact.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { unitExecPath } from '../../lib/template/file-quoting.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { DockerVars } from './vars.js';

const CHAIN = 'NOP-INTERNAL';
export const RULES_SCRIPT = '/usr/local/sbin/nop-docker-user-rules';
export const RULES_UNIT = '/etc/systemd/system/nop-docker-user.service';

/**
 * Docker publishes ports past the host firewall; DOCKER-USER is the one chain it leaves to the operator.
 * Traffic to an internal container port (matched on the original destination port, so a remapped publish
 * is caught too) goes to NOP-INTERNAL, which returns for trusted sources and drops the rest.
 */
const rules = (v: DockerVars): IptablesRule[] => [
  ...v.docker_internal_sources.map((cidr) => ({ chain: CHAIN, rule: ['-s', cidr, '-j', 'RETURN'] })),
  { chain: CHAIN, rule: ['-j', 'DROP'] },
  ...v.docker_internal_ports.map((port) => ({
    chain: 'DOCKER-USER',
    rule: ['-p', 'tcp', '-m', 'conntrack', '--ctorigdstport', String(port), '--ctdir', 'ORIGINAL', '-j', CHAIN],
  })),
];

const check = (r: IptablesRule) => `iptables -w -C ${shellJoin([r.chain, ...r.rule])} 2>/dev/null`;

/** Idempotent: a missing rule rebuilds the chain in order; a present DOCKER-USER jump is never added twice. */
export const rulesScript = (v: DockerVars): string => {
  const own = rules(v).filter((r) => r.chain === CHAIN);
  const jumps = rules(v).filter((r) => r.chain === 'DOCKER-USER');
  return [
    '#!/bin/sh',
    '# written by nop (docker role): internal Gonka ports unreachable from outside, even when published',
    'set -e',
    `iptables -w -N ${CHAIN} 2>/dev/null || true`,
    `if ! { ${own.map(check).join(' && ')}; }; then`,
    `  iptables -w -F ${CHAIN}`,
    ...own.map((r) => `  iptables -w -A ${shellJoin([r.chain, ...r.rule])}`),
    'fi',
    ...jumps.map((r) => `${check(r)} || iptables -w -I ${shellJoin([r.chain, '1', ...r.rule])}`),
    '',
  ].join('\n');
};

export const rulesUnit = `[Unit]
Description=nop: keep internal Gonka ports off the network (DOCKER-USER rules)
After=docker.service
Requires=docker.service
PartOf=docker.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${unitExecPath(RULES_SCRIPT)}

[Install]
WantedBy=multi-user.target docker.service
`;

/** The rules in place now (the script also runs at boot, from the unit): applied when one is missing. */
export const firewallRules: CodeTask<DockerVars> = {
  name: 'Internal ports closed to outside sources',
  facts: (v) => rules(v).map((r) => request(iptablesRule, r)),
  invalidates: [{ fact: iptablesRule }],
  run: async (ctx, v) => {
    const present = await Promise.all(rules(v).map((r) => ctx.facts.read(iptablesRule, r)));
    if (present.every(Boolean)) return { changed: false, msg: `ports ${v.docker_internal_ports.join(', ')} closed to outside sources` };
    if (ctx.check) return { changed: true, msg: `would add DOCKER-USER rules for ports ${v.docker_internal_ports.join(', ')}` };
    const res = await ctx.exec(`sh ${shellJoin([RULES_SCRIPT])}`);
    if (res.code !== 0)
      return {
        changed: false,
        failed: true,
        msg: `applying the DOCKER-USER rules failed: ${res.stderr.trim()} (is Docker running? its DOCKER-USER chain must exist)`,
      };
    return { changed: true, msg: `DOCKER-USER rules added for ports ${v.docker_internal_ports.join(', ')}` };
  },
};
