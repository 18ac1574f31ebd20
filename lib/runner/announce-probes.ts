import type { FileProbe } from '../facts/file-state.js';
import { renderValue } from '../template/render.js';
import { isSelected, taskVars, type PlayContext, type RunContext } from './execute-task.js';
import type { HostRun } from './host-run.js';
import type { TaskSpec } from './types.js';

const flatten = (tasks: readonly TaskSpec[]): TaskSpec[] => tasks.flatMap((t) => (t.block ? flatten([...t.block, ...(t.always ?? [])]) : [t]));

// Probes of a task whose arguments can be known now; a task that depends on a result registered later is left out.
const probesOf = (task: TaskSpec, host: HostRun, run: RunContext, pc: PlayContext): FileProbe[] => {
  const action = task.action;
  if (action?.kind !== 'module' || !action.module.probes || action.argsFn || task.loop || task.with_items) return [];
  try {
    const args = action.module.args.safeParse(renderValue(action.args, taskVars(host, pc.play, task, run, pc)));
    return args.success ? action.module.probes(args.data) : [];
  } catch {
    return [];
  }
};

/** The design's speed path: every file a section's tasks will read is fetched in the first probe's round trip. */
export const announceProbes = async (host: HostRun, tasks: readonly TaskSpec[], run: RunContext, pc: PlayContext): Promise<void> => {
  const probes = flatten(tasks)
    .filter((t) => isSelected(t, run) && !t.delegate_to && !t.delegateFn)
    .flatMap((t) => probesOf(t, host, run, pc));
  if (probes.length === 0) return;
  const conn = await run.connect(host.name).catch(() => undefined);
  // an unreachable host is reported by its first task
  conn?.facts.expect(probes);
};
