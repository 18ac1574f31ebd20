import { z } from 'zod';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { hostName, type HostName } from '../../facts/builtin/host-name.js';
import { ansibleFacts } from '../../facts/builtin/ansible-facts.js';
import { systemFacts } from '../../facts/builtin/system.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { execChecked } from '../exec-checked.js';
import { defineModule, type Change } from '../module.js';

const hostnameArgs = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64, 'name cannot be longer than 64 characters on systemd servers, try a shorter name')
    .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'must be a host name (letters, digits, dots and dashes)'),
  /** how to set it: systemd (hostnamectl) or debian (/etc/hostname and hostname(1)); default: systemd when it manages the host */
  use: z.enum(['systemd', 'debian', 'generic']).optional(),
});

type HostnameArgs = z.output<typeof hostnameArgs>;

interface HostnameChange extends Change {
  commands: string[];
}

// as Ansible's strategies: systemd sets the static name first, then the transient one; the file strategy the reverse
const commandsFor = (a: HostnameArgs, h: HostName): string[] => {
  const systemd = a.use ? a.use === 'systemd' : h.systemd;
  const name = shellJoin([a.name]);
  const current = h.current !== a.name ? [systemd ? `hostnamectl --transient set-hostname ${name}` : `hostname ${name}`] : [];
  const permanent = h.permanent !== a.name ? [systemd ? `hostnamectl --pretty --static set-hostname ${name}` : `printf '%s\\n' ${name} > /etc/hostname`] : [];
  return systemd ? [...permanent, ...current] : [...current, ...permanent];
};

const factsOf = (name: string, fqdn: string) => ({
  ansible_hostname: name.split('.')[0],
  ansible_nodename: name,
  ansible_fqdn: fqdn,
  ansible_domain: fqdn.split('.').slice(1).join('.'),
});

/** Ansible's hostname: the host's transient and static names, through hostnamectl on systemd hosts. */
export const hostnameModule = defineModule({
  name: 'hostname',
  args: hostnameArgs,
  facts: () => [request(hostName, undefined)],
  plan: async (a, ctx) => {
    const h = await ctx.facts.read(hostName, undefined);
    const commands = commandsFor(a, h);
    const result = { name: a.name, ansible_facts: factsOf(a.name, h.fqdn) };
    if (commands.length === 0) return { changes: [], result };
    const before = a.name !== h.current ? h.current : h.permanent;
    const change: HostnameChange = {
      summary: `set the host name to ${a.name}`,
      diff: ctx.diff ? { path: 'hostname', before: `hostname = ${before}\n`, after: `hostname = ${a.name}\n` } : undefined,
      invalidates: [{ fact: hostName }, { fact: systemFacts }, { fact: ansibleFacts }, ...fileFactsOf('/etc/hostname')],
      commands,
    };
    return { changes: [change], result };
  },
  apply: async ([change], a, ctx) => {
    await execChecked(ctx, change.commands.join(' && '));
    ctx.facts.invalidate(change.invalidates);
    return { ansible_facts: factsOf(a.name, (await ctx.facts.read(hostName, undefined)).fqdn) };
  },
});
