import { describe, expect, it } from 'vitest';
import { durationNs, formatMaxAge, MaxAgeSchema, natsCommand, parseStreamInfo } from '../../lib/gonka/nats-streams.js';

describe('NATS stream max age', () => {
  it('reads NATS CLI durations in nanoseconds and writes them back short', () => {
    expect(durationNs('24h')).toBe(86_400e9);
    expect(durationNs('1h30m')).toBe(5_400e9);
    expect(durationNs('7d')).toBe(7 * 86_400e9);
    expect(formatMaxAge(0)).toBe('forever');
    expect(formatMaxAge(86_400e9)).toBe('24h');
    expect(formatMaxAge(7 * 86_400e9)).toBe('7d');
    expect(formatMaxAge(90e9)).toBe('90s');
    expect(() => durationNs('24 hours')).toThrow(/not a duration/);
  });

  it('refuses a max age that is not a positive duration', () => {
    expect(MaxAgeSchema.safeParse('24h').success).toBe(true);
    expect(MaxAgeSchema.safeParse('0s').success).toBe(false);
    expect(MaxAgeSchema.safeParse('24h; rm -rf /').success).toBe(false);
  });

  it('parses `nats stream info --json` and says what is wrong with anything else', () => {
    const info = parseStreamInfo(JSON.stringify({ config: { name: 'txs_to_send', max_age: 0, storage: 'file' }, state: { messages: 3, bytes: 10 } }));
    expect(info).toMatchObject({ config: { name: 'txs_to_send', max_age: 0 } });
    expect(parseStreamInfo('nats: error: stream not found')).toEqual({ error: expect.stringContaining('printed no JSON') });
    expect(parseStreamInfo('{"config":{}}')).toEqual({ error: expect.stringContaining('unexpected JSON') });
  });

  it("runs the CLI in the api container's network namespace, every argument quoted", () => {
    expect(natsCommand('natsio/nats-box:0.14.5', 'api', ['stream', 'info', 'txs_to_send', '--json'])).toBe(
      'docker run --rm --network container:api natsio/nats-box:0.14.5 nats stream info txs_to_send --json --server nats://127.0.0.1:4222',
    );
  });
});
