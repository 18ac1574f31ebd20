import type { OperatorAction } from '../runner/operator-actions.js';
import { banner } from './recap.js';

/** One action, printed when its task ends (without -v: the operator must see it). */
export const actionLine = (host: string, action: string): string => `ACTION REQUIRED [${host}]: ${action}`;

/** Every action of the run, numbered, for after the recap (the caller puts a blank line before it). */
export const actionSummary = (actions: readonly OperatorAction[]): string => {
  const lines = actions.map((a, i) => `  ${i + 1}. [${a.host}] ${a.action}`);
  return `${banner('WHAT YOU MUST DO NOW')}\n${lines.join('\n')}\n`;
};
