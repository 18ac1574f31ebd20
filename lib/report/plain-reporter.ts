import type { EventSink, RunEvent } from '../runner/types.js';
import { operatorActionsOf } from '../runner/operator-actions.js';
import { operatorReportOf } from '../runner/operator-report.js';
import { actionLine, actionSummary } from './operator-actions.js';
import { pythonJson } from './python-json.js';
import { banner, formatRecap } from './recap.js';

const LABEL = { ok: 'ok', changed: 'changed', skipped: 'skipping', failed: 'fatal', unreachable: 'fatal' } as const;

const detail = (result: Record<string, unknown>): string => {
  const { changed: _c, ...rest } = result;
  return pythonJson(rest);
};

const resultLine = (e: Extract<RunEvent, { type: 'task_result' }>, verbose: number): string => {
  const item = e.item === undefined ? '' : ` => (item=${e.item})`;
  if (e.status === 'unreachable') return `fatal: [${e.host}]: UNREACHABLE! => ${detail(e.result)}  (${e.task})`;
  if (e.status === 'failed')
    return `${e.ignored ? 'failed' : 'fatal'}: [${e.host}]${item}: FAILED! => ${detail(e.result)}  (${e.task})${e.ignored ? '\n...ignoring' : ''}`;
  const extra = verbose > 0 ? ` => ${detail(e.result)}` : '';
  return `${LABEL[e.status]}: [${e.host}]${item} ${e.task}${extra}`;
};

/** Ansible-like lines for logs, pipes and CI (no cursor movement). */
export const plainReporter = (write: (s: string) => void, verbose = 0): EventSink => {
  const out = (s: string) => write(`${s}\n`);
  return (e) => {
    switch (e.type) {
      case 'play_start':
        return out(`\n${banner(`PLAY [${e.name}]`)}`);
      case 'task_progress':
        return out(`  [${e.host}] ${e.task}: ${e.line}`);
      case 'task_result':
        if (e.status === 'skipped' && verbose === 0 && e.item === undefined) return out(`skipping: [${e.host}] ${e.task}`);
        out(resultLine(e, verbose));
        if (e.diff) out(e.diff);
        for (const line of operatorReportOf(e.result)) out(`  [${e.host}] ${line}`);
        for (const action of operatorActionsOf(e.result)) out(actionLine(e.host, action));
        return;
      case 'warning':
        return out(`[WARNING]: ${e.message}`);
      case 'verbose':
        return out(
          e.message
            .split('\n')
            .map((line) => `<${e.host}> ${line}`)
            .join('\n'),
        );
      case 'recap':
        // the recap ends with a blank line, as Ansible's
        out(`\n${formatRecap(e.stats)}`);
        if (e.retryFile) out(`to retry, use: --limit @${e.retryFile}\n`);
        if (e.operatorActions.length) write(actionSummary(e.operatorActions));
        return;
      default:
        return;
    }
  };
};
