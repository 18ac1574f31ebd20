import { didYouMean } from '../text/nearest-word.js';
import type { TagFilter } from './tags.js';
import type { Playbook, TaskSpec } from './types.js';

// tags every playbook understands: Ansible's special tags
const SPECIAL_TAGS = ['all', 'always', 'never', 'tagged', 'untagged'];

const tagsOf = (tasks: readonly TaskSpec[]): string[] =>
  tasks.flatMap((t) => [...(t.tags ?? []), ...tagsOf([...(t.block ?? []), ...(t.rescue ?? []), ...(t.always ?? [])])]);

/** Every tag a task of the playbook carries (its own, its block's, its role's, its play's), sorted. */
export const playbookTags = (playbook: Playbook): string[] =>
  [...new Set(playbook.plays.flatMap((p) => [...(p.tags ?? []), ...tagsOf(p.sections.flat()), ...tagsOf(p.handlers)]))].sort();

/**
 * `--tags` or `--skip-tags` naming a tag no task has: a typo that would run nothing (or skip nothing), refused
 * before any host is touched, with the tags there are.
 */
export const unknownTagProblems = (playbook: Playbook, filter: TagFilter): string[] => {
  const known = new Set([...playbookTags(playbook), ...SPECIAL_TAGS]);
  const problems: string[] = [];
  for (const [flag, tags] of [
    ['--tags', filter.only],
    ['--skip-tags', filter.skip],
  ] as const) {
    for (const tag of tags)
      if (!known.has(tag))
        problems.push(
          `${flag} ${tag}: no task of ${playbook.file} has this tag${didYouMean(tag, known)} (its tags: ${playbookTags(playbook).join(', ') || 'none'})`,
        );
  }
  return problems;
};
