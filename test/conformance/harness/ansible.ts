import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { shellJoin } from '../../../lib/transport/shell-quote.js';
import type { Tool, ToolRun } from './run-case.js';
import type { Recap, Status, TaskRecord } from './types.js';

/** ansible-playbook's JSON callback output (ansible.posix.json), as far as the harness reads it. */
interface AnsibleJson {
  plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
  stats: Record<string, Record<string, number>>;
}

const statusOf = (r: Record<string, unknown>): Status => (r.failed || r.unreachable ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok');

const shortName = (action: unknown): string =>
  String(action ?? '')
    .split('.')
    .at(-1) ?? '';

const recapOf = (s: Record<string, number> | undefined): Recap => ({
  ok: s?.ok ?? 0,
  changed: s?.changed ?? 0,
  failed: s?.failures ?? 0,
  skipped: s?.skipped ?? 0,
  unreachable: s?.unreachable ?? 0,
  rescued: s?.rescued ?? 0,
  ignored: s?.ignored ?? 0,
});

export const ENV = {
  ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_RETRY_FILES_ENABLED: '0',
  ANSIBLE_LOCALHOST_WARNING: '0',
  ANSIBLE_DEPRECATION_WARNINGS: '0',
  ANSIBLE_FORCE_COLOR: '0',
};

/** ansible-playbook, run inside the sandbox (controller and host are the sandbox, as nop's local connection is). */
export const ansibleTool: Tool = async (spec): Promise<ToolRun> => {
  const vars = join(dirname(spec.inventory), 'extra-vars.json');
  await writeFile(vars, JSON.stringify(spec.extraVars));
  // an empty configuration: neither the machine's /etc/ansible nor a user's settings apply
  const config = join(dirname(spec.inventory), 'ansible.cfg');
  await writeFile(config, '[defaults]\n');
  const argv = ['ansible-playbook', '-i', spec.inventory, spec.playbook, '-e', `@${vars}`, ...(spec.check ? ['--check'] : [])];
  const env = Object.entries({ ...ENV, ANSIBLE_CONFIG: config }).map(([k, v]) => `${k}=${v}`);
  const res = await spec.host.sh(`cd ${shellJoin([dirname(spec.playbook)])} && exec env ${shellJoin([...env, ...argv])}`);
  const start = res.stdout.indexOf('{');
  // a playbook refused before it runs (exit 4) prints no results
  if (start < 0 && res.code !== 0) return { exit_code: res.code, recap: recapOf(undefined), tasks: [] };
  if (start < 0) throw new Error(`ansible-playbook printed no JSON (rc=${res.code}): ${res.stderr}`);
  const json = JSON.parse(res.stdout.slice(start)) as AnsibleJson;
  const tasks: TaskRecord[] = json.plays.flatMap((play) =>
    play.tasks.flatMap((t) => Object.values(t.hosts).map((r) => ({ name: t.task.name, module: shortName(r.action), status: statusOf(r), result: r }))),
  );
  return { exit_code: res.code, recap: recapOf(json.stats.target), tasks };
};
