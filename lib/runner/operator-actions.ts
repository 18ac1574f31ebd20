/**
 * What the operator must do by hand (copy a mnemonic offline, reboot a host): a module or role task returns
 * `operator_actions: string[]` in its result; every reporter prints them when the task ends, without -v, and
 * again together after the recap.
 */
export const OPERATOR_ACTIONS = 'operator_actions';

export interface OperatorAction {
  host: string;
  task: string;
  action: string;
}

/** The actions a result asks for (none when the field is missing or not a list of strings). */
export const operatorActionsOf = (result: Record<string, unknown>): string[] => {
  const list = result[OPERATOR_ACTIONS];
  return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];
};
