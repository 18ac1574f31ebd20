import type { z } from 'zod';
import { describeIssue, firstIssue } from '../text/issue-message.js';
import type { FactRef } from '../facts/fact.js';
import { AliasConflictError, canonicalArgs } from './aliases.js';
import type { Change, ModuleContext, ModuleDefinition, ModuleResult } from './module.js';
import { parseConverted } from './converted-args.js';

const argumentError = (def: ModuleDefinition, error: z.ZodError, args: unknown): ModuleResult => {
  const words = describeIssue(firstIssue(error.issues), args);
  const field = words.path.length ? `'${words.path.map(String).join('.')}': ` : '';
  return { changed: false, failed: true, msg: `module '${def.name}': ${field}${words.message}` };
};

/** Arguments already checked against a module's schema (the runner's lookahead did), taken instead of checking them again. */
export interface ArgsParsedAhead {
  take(schema: object, args: unknown): { success: true; data: unknown } | undefined;
}

/** What the changes make stale; undefined when one of them does not say (then every fact is). */
const staleFacts = (changes: readonly Change[]): FactRef[] | undefined =>
  changes.some((c) => c.invalidates === undefined) ? undefined : changes.flatMap((c) => c.invalidates ?? []);

/**
 * Ansible's module contract on nop's floors: validate the arguments, read the declared facts (already read with
 * the play's other tasks, in the common case), plan, and — unless in check mode or nothing differs — apply.
 */
export const runModule = async (def: ModuleDefinition, rawArgs: unknown, ctx: ModuleContext, ahead?: ArgsParsedAhead): Promise<ModuleResult> => {
  let canonical: unknown;
  try {
    canonical = canonicalArgs(def, rawArgs).args;
  } catch (e) {
    if (!(e instanceof AliasConflictError)) throw e;
    return { changed: false, failed: true, msg: `module '${def.name}': ${e.message}` };
  }
  const parsed = ahead?.take(def.args, canonical) ?? parseConverted(def.args, canonical);
  if (!parsed.success) return argumentError(def, parsed.error, canonical);
  const args = parsed.data;
  // a fact that cannot be read is the plan's to judge (docker missing is a failure, or in check mode a plan)
  await ctx.facts.readAll(def.facts?.(args) ?? []).catch(() => undefined);
  const plan = await def.plan(args, ctx);
  if (plan.failed !== undefined) return { changed: false, ...plan.result, failed: true, msg: plan.failed };
  const changed = plan.changes.some((c) => !c.quiet);
  const diffs = ctx.diff ? plan.changes.flatMap((c) => (c.diff ? [c.diff] : [])) : [];
  const planned: ModuleResult = { changed, ...plan.result, ...(diffs.length ? { diff: diffs } : {}) };
  if (plan.changes.length === 0) return planned;
  if (ctx.check) return changed && plan.unplannable !== undefined ? { ...planned, changed: false, skipped: true, msg: plan.unplannable } : planned;
  let applied: Partial<ModuleResult> | undefined;
  try {
    applied = def.apply ? await def.apply(plan.changes, args, ctx) : undefined;
  } finally {
    ctx.facts.invalidate(staleFacts(plan.changes));
  }
  // what the changes made true spares the next tasks a read of the host (a new directory's children, say)
  ctx.facts.learn(plan.changes.flatMap((c) => c.becomes ?? []));
  return { ...planned, ...applied };
};
