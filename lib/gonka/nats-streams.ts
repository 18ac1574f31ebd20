import { z } from 'zod';
import { shellJoin } from '../transport/shell-quote.js';

/**
 * The api's embedded NATS JetStream (upstream decentralized-api/internal/nats/server/server.go): it listens on
 * 127.0.0.1:4222 inside the api container only, so the NATS CLI runs in a throw-away nats-box container joined to
 * the api's network namespace (reference gonka-operations.md §14).
 */
export const API_NATS_STREAMS = ['txs_to_send', 'txs_to_observe'] as const;
export const API_NATS_SERVER = 'nats://127.0.0.1:4222';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 7 * 86400e9, y: 365 * 86400e9 };
const DURATION = /^(\d+(ns|us|ms|s|m|h|d|w|y))+$/;

/** A NATS CLI duration (Go's `1h30m` plus d, w, y) in nanoseconds. */
export const durationNs = (text: string): number => {
  if (!DURATION.test(text)) throw new Error(`not a duration: ${text}`);
  return [...text.matchAll(/(\d+)(ns|us|ms|s|m|h|d|w|y)/g)].reduce((ns, [, n, unit]) => ns + Number(n) * UNIT_NS[unit], 0);
};

/** A stream max age as the NATS CLI reads it back: `24h`, `7d`, `forever` for 0. */
export const formatMaxAge = (ns: number): string => {
  if (ns === 0) return 'forever';
  const s = ns / 1e9;
  if (s % 86400 === 0 && s >= 86400 * 2) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
};

export const MaxAgeSchema = z
  .string()
  .regex(DURATION, 'expected a NATS duration such as 24h, 90m or 7d')
  .refine((s) => !DURATION.test(s) || durationNs(s) > 0, 'must be longer than 0');
export const StreamNameSchema = z.string().regex(/^[A-Za-z0-9_-]+$/, 'a JetStream stream name: letters, digits, _ and -');

const StreamInfoSchema = z.object({
  config: z.object({ name: z.string(), max_age: z.number().nonnegative() }),
  state: z.object({ messages: z.number(), bytes: z.number() }).partial().optional(),
});
export type StreamInfo = z.output<typeof StreamInfoSchema>;

/** `nats stream info NAME --json` output, or why it is not a stream's info. */
export const parseStreamInfo = (stdout: string): StreamInfo | { error: string } => {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return { error: `nats stream info printed no JSON: ${stdout.trim().slice(0, 200)}` };
  }
  const parsed = StreamInfoSchema.safeParse(raw);
  return parsed.success ? parsed.data : { error: `nats stream info: unexpected JSON (${parsed.error.issues[0]?.message})` };
};

/** The command running `nats ARGS` against the api's embedded server from a nats-box container in its namespace. */
export const natsCommand = (image: string, apiContainer: string, args: readonly string[]): string =>
  shellJoin(['docker', 'run', '--rm', '--network', `container:${apiContainer}`, image, 'nats', ...args, '--server', API_NATS_SERVER]);
