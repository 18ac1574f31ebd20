/** Ansible's tag selection: `always` runs unless skipped by name, `never` only when asked for, `tagged`/`untagged`/`all`. */
export interface TagFilter {
  only: string[];
  skip: string[];
}

const intersects = (a: readonly string[], b: readonly string[]) => a.some((t) => b.includes(t));

export const selectedByTags = (taskTags: readonly string[], filter: TagFilter): boolean => {
  const only = filter.only.length ? filter.only : ['all'];
  const tagged = taskTags.length > 0;
  if (intersects(taskTags, filter.skip)) return false;
  if (filter.skip.includes('tagged') && tagged) return false;
  if (filter.skip.includes('untagged') && !tagged) return false;
  if (taskTags.includes('never'))
    return (
      intersects(
        taskTags.filter((t) => t !== 'never'),
        only,
      ) || only.includes('never')
    );
  if (taskTags.includes('always')) return true;
  if (only.includes('all')) return true;
  if (only.includes('tagged') && tagged) return true;
  if (only.includes('untagged') && !tagged) return true;
  return intersects(taskTags, only);
};
