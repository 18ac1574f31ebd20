import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debconfModule } from '../../lib/modules/builtin/debconf.js';
import { countingTransport, makeTempDir, removeDir, runModule, shimEnv, writeShim } from './helpers.js';

// debconf's database is the machine's: these tests only read it, in check mode (the conformance case writes, in its sandbox)
describe('debconf', () => {
  it("lists a package's answers, and plans an answer that differs (check mode: nothing set)", async () => {
    const listed = await runModule(debconfModule, { name: 'libc6' });
    const current = listed.current as Record<string, string>;
    expect(listed).toMatchObject({ changed: false, msg: '' });
    expect(Object.keys(current)).toContain('libraries/restart-without-asking');
    const now = current['libraries/restart-without-asking'];
    const other = now === 'true' ? false : true;
    const planned = await runModule(
      debconfModule,
      { pkg: 'libc6', setting: 'libraries/restart-without-asking', vtype: 'boolean', answer: other },
      { check: true, diff: true },
    );
    expect(planned).toMatchObject({
      changed: true,
      current: { 'libraries/restart-without-asking': String(other) },
      previous: { 'libraries/restart-without-asking': now },
    });
    expect(planned.diff).toEqual([
      { path: 'debconf libc6', before: `libraries/restart-without-asking: ${now}\n`, after: `libraries/restart-without-asking: ${other}\n`, redact: false },
    ]);
    // the same answer, a boolean in any spelling, is no change
    const same = await runModule(
      debconfModule,
      { name: 'libc6', question: 'libraries/restart-without-asking', vtype: 'boolean', value: now.toUpperCase() },
      { check: true },
    );
    expect(same.changed).toBe(false);
  });

  it('hands the answer to debconf-set-selections on stdin (-u for unseen), and never shows a password', async () => {
    const dir = await makeTempDir();
    try {
      // a stand-in that keeps its arguments and stdin: the machine's own answers stay as they are
      const bin = await writeShim(dir, 'debconf-set-selections', `printf '%s\\n' "$*" > ${dir}/argv; cat > ${dir}/stdin`);
      const transport = countingTransport();
      const args = { name: 'libc6', question: 'nop/secret-answer', vtype: 'password', value: 'hunter2-secret', unseen: true };
      const res = await runModule(debconfModule, args, { diff: true, transport, env: shimEnv(bin) });
      expect(res).toMatchObject({ changed: true, current: { 'nop/secret-answer': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' } });
      expect(JSON.stringify(res)).not.toContain('hunter2-secret');
      expect(res.diff?.[0].redact).toBe(true);
      expect(transport.scripts.join('\n')).not.toContain('hunter2-secret');
      expect(await readFile(join(dir, 'argv'), 'utf8')).toBe('-u\n');
      expect(await readFile(join(dir, 'stdin'), 'utf8')).toBe('libc6 nop/secret-answer password hunter2-secret');
    } finally {
      await removeDir(dir);
    }
  });

  it('refuses a question without its type and value', async () => {
    expect(await runModule(debconfModule, { name: 'libc6', question: 'libraries/restart-without-asking' })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('parameters are required together: question, vtype, value'),
    });
  });
});
