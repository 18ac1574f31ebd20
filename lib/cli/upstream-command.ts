import { posix } from 'node:path';
import { z } from 'zod';
import { ACME_CREDENTIAL_NAMES } from '../gonka/config-vars.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from '../gonka/deploy-files.js';
import { DeploymentVariableError } from '../gonka/deployment-variable-error.js';
import { HARDENING_POLICIES, INVENTORY_SETTING, INVENTORY_SETTING_VARIABLES, policyFor } from '../gonka/hardening-policies.js';
import { renderDeployFiles } from '../gonka/render-deploy-files.js';
import { compareStacks, type StackFiles } from '../gonka/stack-diff.js';
import type { StackDifference } from '../gonka/stack-difference.js';
import { ML_GROUP, NETWORK_GROUP } from '../gonka/topology.js';
import { fetchUpstreamRef, readUpstreamDir, releaseRef } from '../gonka/upstream-release.js';
import { loadVersions } from '../gonka/versions.js';
import { groupsMagicVar, hostVars, limitHosts, loadInventory, selectHosts } from '../inventory/index.js';
import { isSecretName, REDACTED } from '../runner/redact.js';
import { connectTransport, type ConnectOptions } from '../transport/connect.js';
import { UnreachableError } from '../transport/transport.js';
import { OptionError } from './extra-vars.js';

export interface UpstreamDiffOptions {
  inventory: string[];
  limit?: string;
  /** a gonka-ai/gonka ref (default: release/<the release in data/versions.yml>) */
  ref?: string;
  /** a directory holding deploy/join's files instead of GitHub */
  dir?: string;
  /** raw-file server of gonka-ai/gonka (default raw.githubusercontent.com) */
  source?: string;
  /** compare the files deployed on the hosts instead of what nop would render */
  deployed?: boolean;
  json?: boolean;
  connectOptions?: ConnectOptions;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export interface LabelledDifference extends StackDifference {
  /** the hardening policy that explains it; undefined: drift */
  policy?: string;
}

type HostResult = { host: string; nop: 'rendered' | 'deployed'; differences: LabelledDifference[] } | { host: string; error: string };

const DeployedSettingsSchema = z.object({
  gonka_deploy_dir: z.string().default('/opt/gonka/deploy/join'),
  ansible_become: z.union([z.boolean(), z.string()]).optional(),
  ansible_become_user: z.string().default('root'),
});

const SECRET_KEYS = new Set<string>(ACME_CREDENTIAL_NAMES.filter((k) => k !== 'AWS_REGION' && k !== 'GCE_PROJECT'));
const isSecretKey = (key: string): boolean => isSecretName(key) || SECRET_KEYS.has(key);

// the comparison holds config.env's secrets on both sides: their values never leave this process
const shown = (d: StackDifference): StackDifference => (isSecretKey(d.key) ? { ...d, upstream: d.upstream && REDACTED, nop: d.nop && REDACTED } : d);

const readDeployed = async (host: string, vars: Record<string, unknown>, opts: UpstreamDiffOptions): Promise<StackFiles> => {
  const s = DeployedSettingsSchema.parse(vars);
  const become = s.ansible_become === true || s.ansible_become === 'true' ? { user: s.ansible_become_user } : undefined;
  const transport = await connectTransport(host, vars, opts.connectOptions);
  try {
    const files: StackFiles = {};
    for (const file of [CONFIG_ENV, NETWORK_COMPOSE, MLNODE_COMPOSE] as const) {
      const path = posix.join(s.gonka_deploy_dir, file);
      const text = await transport.get(path, { become }).then(
        (b) => b.toString('utf8'),
        () => undefined,
      );
      if (text !== undefined) files[file] = text;
    }
    if (files[NETWORK_COMPOSE] === undefined && files[MLNODE_COMPOSE] === undefined)
      throw new DeploymentVariableError('gonka_deploy_dir', `${s.gonka_deploy_dir} holds no ${NETWORK_COMPOSE} or ${MLNODE_COMPOSE}`);
    return files;
  } finally {
    await transport.close();
  }
};

const keyOf = (d: StackDifference): string => [d.file, d.service, d.aspect, d.key].join('\0');

const withoutSettings = (vars: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(vars).filter(([k]) => !(INVENTORY_SETTING_VARIABLES as readonly string[]).includes(k)));

/** What differs between the host's files and the same host rendered with nop's defaults: the inventory's choices. */
const inventoryChoices = (files: StackFiles, defaults: StackFiles): ((d: StackDifference) => boolean) => {
  const moved = new Set(compareStacks(defaults, files).map(keyOf));
  return (d) => moved.has(keyOf(d));
};

const compareHost = async (host: string, upstream: StackFiles, ctx: HostContext, opts: UpstreamDiffOptions): Promise<HostResult> => {
  const vars = hostVars(ctx.inv, host);
  try {
    const render = (v: Record<string, unknown>) => renderDeployFiles({ vars: v, hostVar: (h, name) => hostVars(ctx.inv, h)[name], mlHosts: ctx.mlHosts });
    const files = opts.deployed ? await readDeployed(host, vars, opts) : (await render(vars)).files;
    const chosen = opts.deployed ? () => false : inventoryChoices(files, (await render(withoutSettings(vars))).files);
    const differences = compareStacks(upstream, files).map((d) => ({
      ...shown(d),
      policy: policyFor(d)?.id ?? (chosen(d) ? INVENTORY_SETTING.id : undefined),
    }));
    return { host, nop: opts.deployed ? 'deployed' : 'rendered', differences };
  } catch (e) {
    if (e instanceof DeploymentVariableError) return { host, error: `${e.message}${opts.deployed ? '' : ' (or compare what is deployed: --deployed)'}` };
    if (e instanceof UnreachableError) return { host, error: `unreachable: ${e.message}` };
    throw e;
  }
};

interface HostContext {
  inv: Awaited<ReturnType<typeof loadInventory>>;
  mlHosts: string[];
}

const where = (d: StackDifference): string => [d.file, d.service, d.aspect, d.key].filter(Boolean).join(' ');
const value = (v: string | undefined): string => (v === undefined ? '(none)' : v === '' ? '""' : v);

const textReport = (results: HostResult[], upstreamName: string): string => {
  const lines: string[] = [];
  const used = new Set<string>();
  for (const r of results) {
    if ('error' in r) {
      lines.push(`${r.host}: ERROR ${r.error}`);
      continue;
    }
    const drift = r.differences.filter((d) => !d.policy).length;
    lines.push(`${r.host}: nop (${r.nop}) vs upstream ${upstreamName}: ${r.differences.length} differences, ${drift} drift`);
    for (const d of r.differences) {
      if (d.policy) used.add(d.policy);
      lines.push(`  ${(d.policy ? `policy ${d.policy}` : 'DRIFT').padEnd(33)} ${where(d)}: upstream ${value(d.upstream)} -> nop ${value(d.nop)}`);
    }
  }
  const policies = [...HARDENING_POLICIES, INVENTORY_SETTING].filter((p) => used.has(p.id));
  if (policies.length) lines.push('', 'policies (lib/gonka/hardening-policies.ts):', ...policies.map((p) => `  ${p.id}: ${p.why}`));
  return lines.join('\n');
};

const upstreamFiles = async (opts: UpstreamDiffOptions): Promise<{ files: StackFiles; name: string }> => {
  if (opts.dir !== undefined) return { files: await readUpstreamDir(opts.dir), name: `deploy/join in ${opts.dir}` };
  const ref = opts.ref ?? releaseRef((await loadVersions()).release);
  return { files: await fetchUpstreamRef(ref, opts.source), name: `gonka-ai/gonka deploy/join at ${ref}` };
};

/**
 * `nop upstream diff [--ref REF | --dir DIR] -i INV [-l HOST] [--deployed] [--json]`: every difference between
 * upstream's deploy/join and nop's files for each Gonka host, each labelled with the hardening policy that explains
 * it or as drift. 0: no drift; 1: drift; 2: a host could not be compared.
 */
export const upstreamDiffCommand = async (opts: UpstreamDiffOptions): Promise<number> => {
  const out = opts.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  const err = opts.err ?? ((t: string) => process.stderr.write(`${t}\n`));
  if (opts.ref !== undefined && opts.dir !== undefined) throw new OptionError('--ref and --dir are exclusive: a release from GitHub, or a directory');
  if (opts.source !== undefined && opts.dir !== undefined) throw new OptionError('--source reads a --ref from a server; --dir reads a directory');
  if (!opts.inventory.length) throw new OptionError('an inventory is required (-i INVENTORY)');
  const inv = await loadInventory(opts.inventory);
  const groups = groupsMagicVar(inv);
  const gonkaHosts = new Set([...(groups[NETWORK_GROUP] ?? []), ...(groups[ML_GROUP] ?? [])]);
  const hosts = limitHosts(inv, selectHosts(inv, 'all'), opts.limit).filter((h) => gonkaHosts.has(h));
  if (hosts.length === 0) throw new OptionError(`no host of ${NETWORK_GROUP} or ${ML_GROUP} matched${opts.limit ? ` --limit ${opts.limit}` : ''}`);
  const upstream = await upstreamFiles(opts);
  const ctx: HostContext = { inv, mlHosts: groups[ML_GROUP] ?? [] };
  const results: HostResult[] = [];
  for (const host of hosts) results.push(await compareHost(host, upstream.files, ctx, opts));
  if (opts.json) {
    const used = new Set(results.flatMap((r) => ('error' in r ? [] : r.differences.map((d) => d.policy))));
    out(
      JSON.stringify(
        {
          upstream: upstream.name,
          hosts: Object.fromEntries(results.map(({ host, ...rest }) => [host, rest])),
          policies: [...HARDENING_POLICIES, INVENTORY_SETTING].filter((p) => used.has(p.id)).map((p) => ({ id: p.id, why: p.why })),
        },
        null,
        2,
      ),
    );
  } else {
    const text = textReport(results, upstream.name);
    if (results.some((r) => 'error' in r)) err(text);
    else out(text);
  }
  if (results.some((r) => 'error' in r)) return 2;
  return results.some((r) => 'differences' in r && r.differences.some((d) => !d.policy)) ? 1 : 0;
};
