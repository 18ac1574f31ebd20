import { describe, expect, it } from 'vitest';
import { batchedWriter } from '../../lib/report/batched-writer.js';

const nextTurn = () => new Promise<void>((done) => setImmediate(done));

describe('batchedWriter', () => {
  it('writes what one turn of the event loop printed as one write, in order', async () => {
    const writes: string[] = [];
    const out = batchedWriter((t) => writes.push(t));
    out.write('ok: [h1] a\n');
    out.write('ok: [h2] a\n');
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['ok: [h1] a\nok: [h2] a\n']);
    out.write('ok: [h1] b\n');
    await nextTurn();
    expect(writes).toEqual(['ok: [h1] a\nok: [h2] a\n', 'ok: [h1] b\n']);
  });

  it('flush writes what waits at once, and only once', async () => {
    const writes: string[] = [];
    const out = batchedWriter((t) => writes.push(t));
    out.write('PLAY RECAP\n');
    out.flush();
    expect(writes).toEqual(['PLAY RECAP\n']);
    out.flush();
    await nextTurn();
    expect(writes).toEqual(['PLAY RECAP\n']);
  });
});
