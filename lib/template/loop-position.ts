/**
 * Where an item stands in its loop, as Jinja's `loop` and Ansible's `ansible_loop` (loop_control.extended) both
 * report it.
 */
export const loopPosition = (index: number, length: number) => ({
  index: index + 1,
  index0: index,
  revindex: length - index,
  revindex0: length - index - 1,
  first: index === 0,
  last: index === length - 1,
  length,
});
