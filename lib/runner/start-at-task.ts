import { globToRegExp } from '../inventory/fnmatch.js';
import type { Playbook, TaskSpec } from './types.js';

/** `--start-at-task NAME`, as Ansible matches it: the task's name or its `role : name`, exactly or as a glob. */
export const matchesStartAt = (task: TaskSpec, pattern: string, fullName: string): boolean => {
  const glob = globToRegExp(pattern);
  return [task.name, fullName].some((n) => n !== undefined && (n === pattern || glob.test(n)));
};

const everyTask = (tasks: readonly TaskSpec[]): TaskSpec[] =>
  tasks.flatMap((t) => (t.block ? everyTask([...t.block, ...(t.rescue ?? []), ...(t.always ?? [])]) : [t]));

/** Whether some task of the playbook is where `--start-at-task` starts (checked before any host is touched). */
export const hasStartTask = (playbook: Playbook, pattern: string, nameOf: (task: TaskSpec) => string): boolean =>
  playbook.plays.some((play) => play.sections.some((section) => everyTask(section).some((t) => matchesStartAt(t, pattern, nameOf(t)))));
