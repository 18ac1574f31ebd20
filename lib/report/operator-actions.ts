import type { OperatorAction } from '../runner/operator-actions.js';
import { banner } from './recap.js';

/** One action, printed when its task ends (without -v: the operator must see it). */
export const actionLine = (host: string, action: string): string => `ACTION REQUIRED [${host}]: ${action}`;

/** Every action of the run, numbered, after the recap; empty when there is nothing to do. */
export const actionSummary = (actions: readonly OperatorAction[]): string => {
  if (actions.length === 0) return '';
  const lines = actions.map((a, i) => `  ${i + 1}. [${a.host}] ${a.action}`);
  return `\n${banner('WHAT YOU MUST DO NOW')}\n${lines.join('\n')}\n`;
};
