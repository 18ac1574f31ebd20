import { InventoryError } from '../../../lib/inventory/errors.js';
import { EXIT } from '../../../lib/runner/exit-codes.js';
import { runPlaybook } from '../../../lib/runner/run-playbook.js';
import { SourceError } from '../../../lib/runner/source.js';
import { PyFloat } from '../../../lib/template/py-float.js';
import type { RunEvent } from '../../../lib/runner/types.js';
import type { Tool, ToolRun } from './run-case.js';
import type { Status, TaskRecord } from './types.js';

type TaskResult = Extract<RunEvent, { type: 'task_result' }>;

// Ansible's results are recorded as JSON, where a float 2.0 reads back as 2: nop's Python floats compare as their numbers
const jsonNumbers = (v: unknown): unknown => {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) return v.map(jsonNumbers);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonNumbers(x)]));
  return v;
};

const statusOf = (s: TaskResult['status']): Status => (s === 'unreachable' ? 'failed' : s);

// a loop reports each item; Ansible's record of the task is one result holding them all
const loopRecord = (items: TaskResult[]): TaskRecord => {
  const statuses = items.map((i) => statusOf(i.status));
  const status: Status = statuses.includes('failed')
    ? 'failed'
    : statuses.every((s) => s === 'skipped')
      ? 'skipped'
      : statuses.includes('changed')
        ? 'changed'
        : 'ok';
  return {
    name: items[0].task,
    module: '',
    status,
    result: { changed: status === 'changed', results: items.map((i) => jsonNumbers(i.result) as TaskResult['result']) },
  };
};

const recordsOf = (events: RunEvent[]): TaskRecord[] => {
  const records: TaskRecord[] = [];
  let loop: TaskResult[] = [];
  const flush = () => {
    if (loop.length) records.push(loopRecord(loop));
    loop = [];
  };
  for (const e of events) {
    if (e.type === 'task_start') flush();
    if (e.type !== 'task_result') continue;
    if (e.item !== undefined) {
      loop.push(e);
      continue;
    }
    flush();
    records.push({ name: e.task, module: '', status: statusOf(e.status), result: jsonNumbers(e.result) as TaskResult['result'] });
  }
  flush();
  return records;
};

/** nop, in this process, reaching the sandbox through its launcher (the local transport's way into another host). */
export const nopTool: Tool = async (spec): Promise<ToolRun> => {
  const events: RunEvent[] = [];
  const summary = await runPlaybook({
    playbook: spec.playbook,
    inventories: [spec.inventory],
    extraVars: spec.extraVars,
    check: spec.check,
    emit: (e) => events.push(e),
    connect: async () => spec.host.transport(),
  }).catch((e: unknown) => {
    // rejected before running anything, as ansible-playbook's parser errors (exit 4)
    if (e instanceof SourceError || e instanceof InventoryError) return { code: EXIT.parserError, stats: {} as Record<string, undefined> };
    throw e;
  });
  const stats = summary.stats.target;
  return {
    exit_code: summary.code,
    recap: {
      ok: stats?.ok ?? 0,
      changed: stats?.changed ?? 0,
      failed: stats?.failed ?? 0,
      skipped: stats?.skipped ?? 0,
      unreachable: stats?.unreachable ?? 0,
      rescued: stats?.rescued ?? 0,
      ignored: stats?.ignored ?? 0,
    },
    tasks: recordsOf(events),
  };
};
