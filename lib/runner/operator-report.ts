/**
 * What the operator must read, not act on (a plan, a current setting, a tally, what check mode would delete): a role
 * task returns `operator_report: string[]` in its result and every reporter prints those lines when the task ends,
 * without -v (as Ansible prints a debug task's msg). A no_log task's report is censored with the rest of its result.
 */
export const OPERATOR_REPORT = 'operator_report';

/** The lines a result reports (none when the field is missing or not a list of strings). */
export const operatorReportOf = (result: Record<string, unknown>): string[] => {
  const list = result[OPERATOR_REPORT];
  return Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string' && a.trim() !== '') : [];
};
