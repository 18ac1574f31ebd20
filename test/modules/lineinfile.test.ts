import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineinfileModule } from '../../lib/modules/builtin/lineinfile.js';
import { absentLine, presentLine, splitLines } from '../../lib/modules/builtin/lineinfile-edit.js';
import { makeTempDir, removeDir, runModule, snapshotDir } from './helpers.js';

const present = (text: string, o: Partial<Parameters<typeof presentLine>[1]> & { line: string }) =>
  presentLine(splitLines(text), { backrefs: false, firstmatch: false, ...o }).lines.join('');

describe('lineinfile edits (Ansible semantics)', () => {
  it('replaces the last regexp match', () => {
    expect(present('a=1\nb=2\na=3\n', { regexp: /^a=/, line: 'a=9' })).toBe('a=1\nb=2\na=9\n');
    expect(present('a=1\nb=2\na=3\n', { regexp: /^a=/, line: 'a=9', firstmatch: true })).toBe('a=9\nb=2\na=3\n');
  });

  it('appends at EOF, fixing a missing final newline', () => {
    expect(present('x', { line: 'y' })).toBe('x\ny\n');
    expect(present('', { line: 'y' })).toBe('y\n');
  });

  it('leaves an exact line alone', () => {
    expect(presentLine(splitLines('x\ny\n'), { line: 'x', backrefs: false, firstmatch: false }).changed).toBe(false);
  });

  it('inserts after / before an anchor, or at BOF', () => {
    expect(present('[a]\nk=1\n[b]\n', { line: 'n=2', insertafter: '^\\[a\\]' })).toBe('[a]\nn=2\nk=1\n[b]\n');
    expect(present('[a]\nk=1\n[b]\n', { line: 'n=2', insertbefore: '^\\[b\\]' })).toBe('[a]\nk=1\nn=2\n[b]\n');
    expect(present('x\n', { line: '#!/bin/sh', insertbefore: 'BOF' })).toBe('#!/bin/sh\nx\n');
    expect(present('x\n', { line: 'z', insertafter: 'nomatch' })).toBe('x\nz\n');
  });

  it('expands backrefs and does nothing without a match', () => {
    expect(present('port = 26657\n', { regexp: /^port = (\d+)$/, line: 'port = \\1 # rpc', backrefs: true })).toBe('port = 26657 # rpc\n');
    expect(present('other\n', { regexp: /^port = (\d+)$/, line: 'port = \\1', backrefs: true })).toBe('other\n');
  });

  it('removes every matching line', () => {
    const res = absentLine(splitLines('a\nb\na\n'), { line: 'a' });
    expect(res).toMatchObject({ lines: ['b\n'], changed: true, msg: '2 line(s) removed' });
  });
});

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe('lineinfile', () => {
  it('sets a line once, with a diff and the file mode kept', async () => {
    const path = join(dir, 'sshd_config');
    await writeFile(path, 'Port 22\nPasswordAuthentication yes\n', { mode: 0o600 });
    const args = { path, regexp: '^PasswordAuthentication', line: 'PasswordAuthentication no' };
    const first = await runModule(lineinfileModule, args);
    expect(first).toMatchObject({ changed: true, msg: 'line replaced' });
    expect(first.diff).toEqual([{ path, before: 'Port 22\nPasswordAuthentication yes\n', after: 'Port 22\nPasswordAuthentication no\n', privateBefore: true }]);
    expect(await readFile(path, 'utf8')).toBe('Port 22\nPasswordAuthentication no\n');
    const second = await runModule(lineinfileModule, args);
    expect(second.changed).toBe(false);
    const removed = await runModule(lineinfileModule, { path, regexp: '^Port', state: 'absent' });
    expect(removed).toMatchObject({ changed: true, msg: '1 line(s) removed' });
    expect(await snapshotDir(dir)).toMatchObject({ sshd_config: expect.stringMatching(/^file 600 /) });
  });

  it('fails on a missing file unless create is set', async () => {
    const path = join(dir, 'new.conf');
    expect(await runModule(lineinfileModule, { path, line: 'a=1' })).toMatchObject({ failed: true, rc: 257 });
    expect(await runModule(lineinfileModule, { path, line: 'a=1', state: 'absent' })).toMatchObject({ changed: false, msg: 'file not present' });
    expect(await runModule(lineinfileModule, { path, line: 'a=1', create: true, mode: '0644' })).toMatchObject({ changed: true, msg: 'line added' });
    expect(await readFile(path, 'utf8')).toBe('a=1\n');
  });

  it('check mode writes nothing but reports the change and diff', async () => {
    const path = join(dir, 'f');
    await writeFile(path, 'a\n');
    const before = await snapshotDir(dir);
    const res = await runModule(lineinfileModule, { path, line: 'b', backup: true }, { check: true });
    expect(res).toMatchObject({ changed: true, diff: [{ before: 'a\n', after: 'a\nb\n' }] });
    const created = await runModule(lineinfileModule, { path: join(dir, 'g'), line: 'b', create: true }, { check: true });
    expect(created.changed).toBe(true);
    expect(await snapshotDir(dir)).toEqual(before);
  });

  it('validates its arguments', () => {
    expect(() => lineinfileModule.args.parse({ path: '/x' })).toThrow(/line is required/);
    expect(() => lineinfileModule.args.parse({ path: '/x', line: 'a', backrefs: true })).toThrow(/backrefs requires regexp/);
    expect(() => lineinfileModule.args.parse({ path: '/x', line: 'a', regexp: '(' })).toThrow(/valid regular/);
    expect(() => lineinfileModule.args.parse({ path: '/x', line: 'a', insertafter: 'EOF', insertbefore: 'BOF' })).toThrow(/mutually/);
    expect(lineinfileModule.args.parse({ path: '/x', line: 'a', create: 'yes' }).create).toBe(true);
  });
});
