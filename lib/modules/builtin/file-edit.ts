import type { FileContentPlan } from '../file-content.js';
import type { ModuleResult } from '../module.js';
import { pythonRegex } from '../python-regex.js';
import { ValidationError } from '../validated-write.js';

/** Whether a pattern is a regular expression nop can use (zod refinements of the editing modules). */
export const compiles = (pattern: string | undefined): boolean => {
  if (pattern === undefined) return true;
  try {
    pythonRegex(pattern);
    return true;
  } catch {
    return false;
  }
};

const ATTRIBUTES_CHANGED = 'ownership, perms or SE linux context changed';

/** The message the editing modules (blockinfile, replace, lineinfile) report: the edit's, and whether attributes changed. */
export const editMessage = (contentMsg: string, plan: FileContentPlan): string => {
  if (!plan.attributesChanged) return contentMsg;
  return contentMsg ? `${contentMsg} and ${ATTRIBUTES_CHANGED}` : ATTRIBUTES_CHANGED;
};

/** A validation that refused the new content fails the task with Ansible's message; other errors stay errors. */
export const validationFailure = (e: unknown): Partial<ModuleResult> => {
  if (!(e instanceof ValidationError)) throw e;
  return { changed: false, failed: true, msg: e.message };
};
