import { taskName } from '../runner/execute-task.js';
import { selectedByTags, type TagFilter } from '../runner/tags.js';
import type { Playbook, PlaySpec, TaskSpec } from '../runner/types.js';

export interface ListingOptions {
  /** --list-hosts: the hosts a play's pattern matches (after --limit) */
  hostsOf?: (play: PlaySpec) => string[];
  tasks: boolean;
  tags: boolean;
  filter: TagFilter;
}

// as ansible-playbook lists them: a block's own tasks (not its rescue or always), each with the tags it inherits
const listedTasks = (tasks: readonly TaskSpec[], inherited: readonly string[] = []): { name: string; tags: string[] }[] =>
  tasks.flatMap((t) => {
    const tags = [...new Set([...inherited, ...(t.tags ?? [])])];
    if (t.block) return listedTasks(t.block, tags);
    return [{ name: taskName(t), tags }];
  });

const playEntry = (play: PlaySpec, index: number, opts: ListingOptions): string => {
  const playTags = play.tags ?? [];
  let text = `\n  play #${index + 1} (${play.hosts}): ${play.name ?? play.hosts}\tTAGS: [${playTags.join(',')}]`;
  if (opts.hostsOf) {
    const hosts = opts.hostsOf(play);
    text += `\n    pattern: ['${play.hosts}']\n    hosts (${hosts.length}):${hosts.map((h) => `\n      ${h}`).join('')}`;
  }
  text += '\n';
  if (!opts.tasks && !opts.tags) return text;
  const tasks = listedTasks(play.sections.flat()).filter((t) => selectedByTags(t.tags, opts.filter));
  let taskText = opts.tasks ? '    tasks:\n' : '';
  if (opts.tasks) for (const t of tasks) taskText += `      ${t.name}\tTAGS: [${[...new Set([...playTags, ...t.tags])].sort().join(', ')}]\n`;
  if (opts.tags) taskText += `      TASK TAGS: [${[...new Set([...playTags, ...tasks.flatMap((t) => t.tags)])].sort().join(', ')}]\n`;
  return `${text}${taskText}\n`;
};

/** What `ansible-playbook --list-hosts / --list-tasks / --list-tags` prints, to the character. */
export const formatListing = (playbookArg: string, playbook: Playbook, opts: ListingOptions): string =>
  `\nplaybook: ${playbookArg}\n${playbook.plays.map((p, i) => playEntry(p, i, opts)).join('')}`;
