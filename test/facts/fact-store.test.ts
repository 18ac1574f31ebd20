import { describe, expect, it } from 'vitest';
import { frameBatch } from '../../lib/facts/batch-script.js';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { defineFact, request } from '../../lib/facts/fact.js';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';

const recording = (): Transport & { scripts: string[]; becomes: (string | undefined)[] } => {
  const inner = localTransport();
  const scripts: string[] = [];
  const becomes: (string | undefined)[] = [];
  return {
    ...inner,
    scripts,
    becomes,
    exec: (script, opts) => {
      scripts.push(script);
      becomes.push(opts?.become?.user);
      return inner.exec(script, opts);
    },
  };
};

// echoes its arguments: one process for all of them
const echo = defineFact<string, string>({
  name: 'echo',
  command: (args) => `printf '%s\\n' ${args.map((a) => `'${a}'`).join(' ')}`,
  parse: ({ stdout }, args) => {
    const lines = stdout.split('\n');
    return args.map((_, i) => lines[i]);
  },
  key: (a) => a,
});

const failing = defineFact<string, string>({
  name: 'failing',
  command: () => 'exit 3',
  parse: ({ rc }, args) => args.map(() => new Error(`rc ${rc}`)),
});

describe('the batch framing', () => {
  it('ignores what is printed outside the frames and keeps each section’s output and status', () => {
    const batch = frameBatch(['echo one', 'printf two; exit 4']);
    const framed = batch.script;
    expect(framed).toContain('echo one');
    const markers = [...framed.matchAll(/'(@@nop-[0-9a-f]+-[BE]\d)'/g)].map((m) => m[1]);
    const [b0, e0, b1, e1] = markers;
    const stdout = `Welcome banner\n\n${b0}\none\n\n${e0} 0\n\n${b1}\ntwo\n${e1} 4\n`;
    expect(batch.parse(stdout).map(({ stdout, rc }) => ({ stdout, rc }))).toEqual([
      { stdout: 'one\n', rc: 0 },
      { stdout: 'two', rc: 4 },
    ]);
  });

  it('the last section keeps its exact bytes, an end marker inside them included: its end is the last marker', () => {
    const batch = frameBatch(['echo one', 'cat archive']);
    const [b0, e0, b1, e1] = [...batch.script.matchAll(/'(@@nop-[0-9a-f]+-[BE]\d)'/g)].map((m) => m[1]);
    const content = Buffer.concat([Buffer.from([0, 0xff, 0xc3, 10]), Buffer.from(`\n${e1} 0\nforged`), Buffer.from([0x80])]);
    const stdout = Buffer.concat([Buffer.from(`\n${b0}\none\n\n${e0} 0\n\n${b1}\n`), content, Buffer.from(`\n${e1} 0\n`)]);
    const [, last] = batch.parse(stdout);
    expect(last.bytes).toEqual(content);
    expect(last.rc).toBe(0);
  });

  it('a section cut short is an error, not a silent empty value', () => {
    const batch = frameBatch(['echo one']);
    expect(() => batch.parse('banner only\n')).toThrow(/stopped before section 1/);
  });
});

describe('the fact store', () => {
  it('reads a miss together with every upcoming request, in one command, and caches per reader', async () => {
    const t = recording();
    const store = createFactStore(t);
    store.lookahead(() => [request(echo, 'b'), request(echo, 'c'), { ...request(echo, 'd'), become: { user: 'other' } }]);
    const reader = store.reader(undefined);
    expect(await reader.read(echo, 'a')).toBe('a');
    expect(t.scripts).toHaveLength(1);
    expect(await reader.read(echo, 'c')).toBe('c');
    expect(t.scripts).toHaveLength(1);
    // another reader (a become user) has its own cache and its own batch
    expect(store.reader({ user: 'root' })).not.toBe(reader);
  });

  it('forgets what a change invalidates, and only that', async () => {
    const t = recording();
    const store = createFactStore(t);
    const reader = store.reader(undefined);
    await reader.readAll([request(echo, 'x'), request(echo, 'y')]);
    reader.invalidate([{ fact: echo, arg: 'x' }]);
    await reader.read(echo, 'y');
    expect(t.scripts).toHaveLength(1);
    await reader.read(echo, 'x');
    expect(t.scripts).toHaveLength(2);
    reader.invalidate();
    await reader.read(echo, 'y');
    expect(t.scripts).toHaveLength(3);
  });

  it('a fact that cannot be read fails its readers only, and is tried again later', async () => {
    const t = recording();
    const reader = createFactStore(t).reader(undefined);
    await expect(reader.readAll([request(failing, 'z'), request(echo, 'ok')])).rejects.toThrow('rc 3');
    expect(await reader.read(echo, 'ok')).toBe('ok');
    expect(t.scripts).toHaveLength(1);
    await expect(reader.read(failing, 'z')).rejects.toThrow('rc 3');
    expect(t.scripts).toHaveLength(2);
  });

  it("passes a fact's secret inputs in the environment, never in the script, and keeps them out of the cache key", async () => {
    const t = recording();
    const envs: (Record<string, string> | undefined)[] = [];
    const inner = t.exec;
    t.exec = (script, opts) => {
      envs.push(opts?.env);
      return inner(script, opts);
    };
    const secret = defineFact<{ name: string; password: string }, string>({
      name: 'secret',
      command: () => `printf '%s' "$NOP_TEST_SECRET" | wc -c`,
      parse: ({ stdout }, args) => args.map(() => stdout.trim()),
      env: (args) => ({ NOP_TEST_SECRET: args[0].password }),
      key: (a) => a.name,
    });
    const reader = createFactStore(t, () => ({ env: { KEEP: '1' } })).reader(undefined);
    expect(await reader.read(secret, { name: 'k', password: 'hunter2-long' })).toBe('12');
    expect(t.scripts.join('\n')).not.toContain('hunter2');
    expect(envs[0]).toEqual({ KEEP: '1', NOP_TEST_SECRET: 'hunter2-long' });
    expect(await reader.read(secret, { name: 'k', password: 'another' })).toBe('12');
    expect(t.scripts).toHaveLength(1);
  });

  it('reads ahead only on a miss: a task needing no uncached fact leaves the upcoming ones for later', async () => {
    const t = recording();
    const store = createFactStore(t);
    let upcoming = [request(echo, 'later')];
    store.lookahead(() => upcoming.map((r) => ({ ...r, become: undefined })));
    const reader = store.reader(undefined);
    await reader.readAll([]);
    expect(t.scripts).toHaveLength(0);
    // what an earlier task published is known by the time the next one misses
    upcoming = [request(echo, 'published')];
    expect(await reader.read(echo, 'first')).toBe('first');
    expect(t.scripts).toHaveLength(1);
    expect(t.scripts[0]).toContain("'published'");
    await reader.readAll([request(echo, 'first')]);
    expect(t.scripts).toHaveLength(1);
  });

  it('a fact a change made known is no miss: nothing is read, and the upcoming requests are not even computed', async () => {
    const t = recording();
    const store = createFactStore(t);
    let computed = 0;
    store.lookahead(() => {
      computed++;
      return [{ ...request(echo, 'later'), become: undefined }];
    });
    const reader = store.reader(undefined);
    // what a first run's tasks find: every path below a directory just made is known to be absent
    reader.learn([{ fact: echo, covers: (a) => String(a).startsWith('new/'), value: (a) => `known ${String(a)}` }]);
    expect(await reader.read(echo, 'new/a')).toBe('known new/a');
    await reader.readAll([request(echo, 'new/b'), request(echo, 'new/c')]);
    expect(await reader.read(echo, 'new/c')).toBe('known new/c');
    expect({ computed, reads: t.scripts.length }).toEqual({ computed: 0, reads: 0 });
    // a real miss still reads ahead
    expect(await reader.read(echo, 'old')).toBe('old');
    expect({ computed, reads: t.scripts.length }).toEqual({ computed: 1, reads: 1 });
    expect(t.scripts[0]).toContain("'later'");
  });

  it('a change to a fact makes the facts computed from it stale, whatever their arguments', async () => {
    const t = recording();
    const base = defineFact<void, string>({ name: 'base', command: () => 'echo base', parse: ({ stdout }, args) => args.map(() => stdout.trim()) });
    const derived = defineFact<string, string>({ ...echo, name: 'derived', dependsOn: () => [base] });
    const reader = createFactStore(t).reader(undefined);
    await reader.readAll([request(base, undefined), request(derived, 'd'), request(echo, 'e')]);
    reader.invalidate([{ fact: base }]);
    await reader.read(echo, 'e');
    expect(t.scripts).toHaveLength(1);
    await reader.read(derived, 'd');
    expect(t.scripts).toHaveLength(2);
    // and only a change to what it depends on: another fact's change leaves it cached
    reader.invalidate([{ fact: echo, arg: 'e' }]);
    await reader.read(derived, 'd');
    expect(t.scripts).toHaveLength(2);
  });
});
