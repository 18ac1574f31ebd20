import { durationNs, formatMaxAge, natsCommand, parseStreamInfo } from '../../lib/gonka/nats-streams.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { NatsVars } from './vars.js';

const nats = (ctx: ModuleContext, v: NatsVars, args: string[]) => ctx.exec(natsCommand(v.nats_box_image, v.nats_api_container, args));

/** One stream's max age (ns) as the api's NATS server reports it, or why it could not be read. */
const streamAge = async (ctx: ModuleContext, v: NatsVars, stream: string): Promise<number | { error: string }> => {
  const res = await nats(ctx, v, ['stream', 'info', stream, '--json']);
  if (res.code !== 0) return { error: `${stream}: nats stream info failed: ${res.stderr.trim() || res.stdout.trim()}` };
  const info = parseStreamInfo(res.stdout);
  return 'error' in info ? { error: `${stream}: ${info.error}` } : info.config.max_age;
};

const line = (stream: string, ns: number, target: number): string =>
  `${stream}: max age ${formatMaxAge(ns)}${ns === target ? ' (as wanted)' : ` (wanted ${formatMaxAge(target)})`}`;

/** Read every stream's current max age first: the operator sees the setting before anything changes. */
export const readStreamAges = async (ctx: ModuleContext, v: NatsVars): Promise<ModuleResult> => {
  const target = durationNs(v.nats_stream_max_age);
  const ages: Record<string, number> = {};
  for (const stream of v.nats_streams) {
    const age = await streamAge(ctx, v, stream);
    if (typeof age !== 'number') return { changed: false, failed: true, msg: `${age.error} (is the api container '${v.nats_api_container}' running?)` };
    ages[stream] = age;
  }
  const report = v.nats_streams.map((s) => line(s, ages[s], target));
  return { changed: false, msg: report.join('; '), operator_report: report, ansible_facts: { nats_stream_ages: ages } };
};

/** Give each stream whose max age differs the wanted one, then read it back. */
export const setStreamAges = async (ctx: ModuleContext, v: NatsVars): Promise<ModuleResult> => {
  const target = durationNs(v.nats_stream_max_age);
  const stale = v.nats_streams.filter((s) => v.nats_stream_ages[s] !== target);
  if (stale.length === 0) return { changed: false, msg: `every stream already has max age ${formatMaxAge(target)}` };
  if (ctx.check) {
    const report = stale.map((s) => `would set ${s} max age ${formatMaxAge(v.nats_stream_ages[s])} → ${formatMaxAge(target)}`);
    return { changed: true, msg: report.join('; '), operator_report: report };
  }
  const report: string[] = [];
  for (const stream of stale) {
    const edit = await nats(ctx, v, ['stream', 'edit', stream, `--max-age=${v.nats_stream_max_age}`, '--force']);
    if (edit.code !== 0)
      return { changed: report.length > 0, failed: true, msg: `${stream}: nats stream edit failed: ${edit.stderr.trim() || edit.stdout.trim()}` };
    const after = await streamAge(ctx, v, stream);
    if (after !== target) {
      const now = typeof after === 'number' ? formatMaxAge(after) : after.error;
      return { changed: true, failed: true, msg: `${stream}: the edit did not hold: max age reads ${now}, wanted ${formatMaxAge(target)}` };
    }
    report.push(`${stream}: max age ${formatMaxAge(v.nats_stream_ages[stream])} → ${formatMaxAge(target)} (read back)`);
  }
  return { changed: true, msg: report.join('; '), operator_report: report };
};
