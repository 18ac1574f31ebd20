import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STALE_TEMP_MINUTES } from '../../lib/transport/atomic-write.js';
import { localTransport } from '../../lib/transport/local.js';
import { type HostOp, opBatch } from '../../lib/transport/op-batch.js';
import { PERL_BATCH_PROGRAM } from '../../lib/transport/op-batch-perl.js';
import { type ProgramCounter, programCounter } from '../helpers/program-counter.js';
import { canMount, mountSmallDisk, NOT_ROOT, type SmallDisk } from '../helpers/tmpfs.js';

const execFileAsync = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-batch-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const put = (name: string, text: string, mode = 0o644, size = Buffer.byteLength(text), opts = {}): HostOp => ({
  kind: 'put',
  dest: join(dir, name),
  content: { bytes: Buffer.from(text) },
  size,
  opts: { mode, ...opts },
});

const send = async (ops: HostOp[], tail?: string | { script: string; stdin?: Buffer }, env?: Record<string, string>) => {
  const batch = opBatch(ops, typeof tail === 'string' ? { script: tail } : tail);
  return batch.parse(await localTransport().exec(batch.script, { stdin: batch.stdin, env }));
};

const modeOf = async (path: string) => ((await stat(path)).mode & 0o7777).toString(8);

// Every batch runs one of two ways, on the same stdin, with the same frames and outcome: by one perl process where the
// host has perl, by the shell (a subshell and a program per op) where it has not. The local transport's commands
// inherit this PATH: one without perl is a host without perl.
const HOSTS = [
  { name: 'perl', omit: [] as string[] },
  { name: 'the shell (a host without perl)', omit: ['perl'] },
];

for (const host of HOSTS) {
  const byPerl = host.omit.length === 0;
  describe(`a batch of changes in one command, run by ${host.name}`, () => {
    let counter: ProgramCounter;
    let PATH: string | undefined;
    beforeAll(async () => {
      counter = await programCounter(host.omit);
      PATH = process.env.PATH;
      process.env.PATH = counter.path;
    });
    afterAll(async () => {
      process.env.PATH = PATH;
      await counter.cleanup();
    });
    beforeEach(() => counter.reset());

    it('runs them in order, with their modes, and stops at the first that fails with that one’s own message', async () => {
      const outcome = await send([
        { kind: 'script', script: `mkdir ${join(dir, 'd')}` },
        put('d/a', 'alpha\n', 0o600),
        put('d/x', 'exe\n', 0o755),
        { kind: 'script', script: `echo noise; mkdir ${join(dir, 'd')}` },
        put('d/never', 'no'),
      ]);
      expect(outcome.done).toBe(3);
      expect(outcome.failure?.code).toBe(1);
      expect(outcome.failure?.stderr).toMatch(/^mkdir: cannot create directory .*: File exists\n?$/);
      expect(await readFile(join(dir, 'd', 'a'), 'utf8')).toBe('alpha\n');
      expect(await modeOf(join(dir, 'd', 'a'))).toBe('600');
      expect(await modeOf(join(dir, 'd', 'x'))).toBe('755');
      expect((await readdir(join(dir, 'd'))).sort()).toEqual(['a', 'x']);
      // (what perl runs is not counted: the shim hands it the original PATH)
      expect(await counter.programs()).toEqual(byPerl ? ['perl'] : ['mkdir', 'mv', 'chmod', 'mv', 'mkdir']);
    });

    it('content that is not the size announced fails its write, leaves no temp file and keeps the original', async () => {
      await writeFile(join(dir, 'kept'), 'original');
      for (const size of [3, 30]) {
        const outcome = await send([put('kept', 'fourteen bytes', 0o644, size), put('after', 'x')]);
        expect(outcome.done).toBe(0);
        expect(outcome.failure?.stderr).toMatch(/size check failed/);
        expect(await readdir(dir)).toEqual(['kept']);
        expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
      }
    });

    it('installs content staged beside its destination: size checked, mode set; a batch that stops first removes it', async () => {
      const staged = async (name: string, text: string, size = Buffer.byteLength(text)): Promise<HostOp> => {
        const tmp = join(dir, `.${name}.nop-0123456789ab`);
        await writeFile(tmp, text, { mode: 0o600 });
        return { kind: 'install', dest: join(dir, name), tmp, size, opts: { mode: 0o640 } };
      };
      await writeFile(join(dir, 'kept'), 'original');
      const installed = await send([await staged('new', 'staged\n'), await staged('kept', 'short', 9), await staged('later', 'never')]);
      expect(installed.done).toBe(1);
      expect(installed.failure?.stderr).toMatch(/size check failed: 5 bytes written, 9 expected/);
      expect(await readFile(join(dir, 'new'), 'utf8')).toBe('staged\n');
      expect(await modeOf(join(dir, 'new'))).toBe('640');
      expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
      // the temp of the failed install and of the one never reached are gone
      expect((await readdir(dir)).sort()).toEqual(['kept', 'new']);
    });

    // a first run's files cost the host no process of their own where it has perl; without, small text costs its
    // rename only (test/runner/round-trips.test.ts)
    it(
      byPerl ? 'writes any content byte for byte, with no process but perl' : 'writes small text with the shell itself, byte for byte; other content with head',
      async () => {
        const byShell = {
          empty: '',
          'no-newline': 'last line',
          newline: 'a\n',
          blank: '\n\n\n',
          quoting: '  lead and trail  \n\ttab\\back\\slash\\n %s %d $HOME `id` "q" \'s\' -n -e\n-\n',
          'like-a-marker': '@@nop-0123456789abcdef-P0\n@@nop-0123456789abcdef-E0 0',
          'largest-in-shell': `${'x'.repeat(1023)}y`,
        };
        const byHead = { larger: 'x'.repeat(1025), 'not-ascii': 'grüße\n', cr: 'windows\r\n', nul: 'a\0b', escape: '\x1b[0m\n' };
        const all = { ...byShell, ...byHead, 'large binary': Buffer.alloc(200_000, 0xfe).toString('latin1') };
        const outcome = await send(Object.entries(all).map(([name, text]) => put(name, text, 0o640)));
        expect(outcome).toEqual({ done: Object.keys(all).length });
        const programs = await counter.programs();
        if (byPerl) expect(programs).toEqual(['perl']);
        else {
          expect(programs.filter((p) => p === 'head')).toHaveLength(Object.keys(byHead).length + 1);
          expect(programs.filter((p) => p !== 'head' && p !== 'mv')).toEqual([]);
        }
        for (const [name, text] of Object.entries(all)) {
          expect(await readFile(join(dir, name), 'latin1'), name).toBe(Buffer.from(text).toString('latin1'));
          expect(await modeOf(join(dir, name))).toBe('640');
        }
      },
    );

    it('small text cut off on its way (an interrupted sender) is not written: no temp file, the original kept', async () => {
      await writeFile(join(dir, 'kept'), 'original');
      for (const text of ['one\ntwo\nthree\n', 'one\ntwo']) {
        const batch = opBatch([put('kept', text), put('after', 'x')]);
        const stdin = Buffer.from(batch.stdin as Buffer);
        for (const cut of [0, 4, Buffer.byteLength(text) - 1]) {
          const outcome = batch.parse(await localTransport().exec(batch.script, { stdin: stdin.subarray(0, cut) }));
          expect(outcome.done).toBe(0);
          expect(outcome.failure?.stderr).toMatch(/size check failed: the content of \d+ bytes did not arrive whole/);
          expect(await readdir(dir)).toEqual(['kept']);
          expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
        }
      }
    });

    it('a read riding along gets its own output and status, after the changes', async () => {
      const outcome = await send([put('f', 'hello')], `cat ${join(dir, 'f')}; echo oops >&2; exit 3`);
      expect(outcome).toEqual({ done: 1, tail: { code: 3, stdout: 'hello', stderr: 'oops\n' } });
    });

    it('the read riding along gets exactly the stdin after the changes’ content, however it looks', async () => {
      const rest = '@@nop-0123456789abcdef-P0\nthe tail’s own input\n';
      const outcome = await send([put('f', 'content of f\n'), put('g', 'x'.repeat(5000))], { script: 'cat', stdin: Buffer.from(rest) });
      expect(outcome).toEqual({ done: 2, tail: { code: 0, stdout: rest, stderr: '' } });
    });

    it('makes directories with their parents and an exact mode; one in the way of a file fails and stops the batch', async () => {
      await mkdir(join(dir, 'there'), { mode: 0o700 });
      await writeFile(join(dir, 'file'), 'not a directory');
      const outcome = await send([
        { kind: 'directory', path: join(dir, 'one'), mode: 0o750 },
        // bits the umask would clear, and setgid
        { kind: 'directory', path: join(dir, 'open'), mode: 0o777 },
        { kind: 'directory', path: join(dir, 'shared'), mode: 0o2770 },
        { kind: 'directory', path: join(dir, 'deep/er//est'), mode: 0o700 },
        { kind: 'directory', path: join(dir, 'plain') },
        // it appeared since it was read: it gets the mode
        { kind: 'directory', path: join(dir, 'there'), mode: 0o755 },
        { kind: 'directory', path: join(dir, 'file/sub'), mode: 0o755 },
        { kind: 'directory', path: join(dir, 'never') },
      ]);
      expect(outcome.done).toBe(6);
      expect(outcome.failure?.stderr).toMatch(/mkdir: cannot create directory .*file.*: (Not a directory|File exists)/);
      expect(await modeOf(join(dir, 'one'))).toBe('750');
      expect(await modeOf(join(dir, 'open'))).toBe('777');
      expect(await modeOf(join(dir, 'shared'))).toBe('2770');
      // the mode is the directory's; the parents made for it get the umask's, as mkdir -p gives them
      expect(await modeOf(join(dir, 'deep/er/est'))).toBe('700');
      const umasked = (0o777 & ~process.umask()).toString(8);
      expect(await modeOf(join(dir, 'deep'))).toBe(umasked);
      expect(await modeOf(join(dir, 'deep/er'))).toBe(umasked);
      expect(await modeOf(join(dir, 'plain'))).toBe(umasked);
      expect(await modeOf(join(dir, 'there'))).toBe('755');
      expect((await readdir(dir)).sort()).toEqual(['deep', 'file', 'one', 'open', 'plain', 'shared', 'there']);
      if (byPerl) expect(await counter.programs()).toEqual(['perl']);
    });

    it('sweeps stale temp files of its own pattern from the directories it writes into first, and nothing else', async () => {
      const old = new Date(Date.now() - (STALE_TEMP_MINUTES + 30) * 60_000);
      const planted = ['.a.conf.nop-0123456789ab', '.a.conf.nop-aaaaaaaaaaaa', '.a.conf.nop-keep', 'a.conf.nop-cccccccccccc', '.link.nop-bbbbbbbbbbbb'];
      for (const name of planted.slice(0, 4)) await writeFile(join(dir, name), 'half written');
      await symlink(join(dir, '.a.conf.nop-keep'), join(dir, planted[4]));
      for (const name of [planted[0], planted[2], planted[3]]) await utimes(join(dir, name), old, old);
      await execFileAsync('touch', ['-h', '-d', old.toISOString(), join(dir, planted[4])]);
      const batch = opBatch([put('a.conf', 'new\n')], undefined, [dir, join(dir, 'missing')]);
      expect(batch.parse(await localTransport().exec(batch.script, { stdin: batch.stdin }))).toEqual({ done: 1 });
      // gone: the stale one; kept: a fresh one (a writer at work), names not of the pattern, a link
      expect((await readdir(dir)).sort()).toEqual([
        '.a.conf.nop-aaaaaaaaaaaa',
        '.a.conf.nop-keep',
        '.link.nop-bbbbbbbbbbbb',
        'a.conf',
        'a.conf.nop-cccccccccccc',
      ]);
    });

    it('an owner that does not exist fails the write: no temp file, the original kept', async () => {
      await writeFile(join(dir, 'kept'), 'original');
      const outcome = await send([put('kept', 'new\n', 0o644, 4, { owner: 'nop-no-such-user' }), put('after', 'x')]);
      expect(outcome.done).toBe(0);
      expect(outcome.failure?.stderr).toMatch(/invalid user: .nop-no-such-user./);
      expect(await readdir(dir)).toEqual(['kept']);
      expect(await readFile(join(dir, 'kept'), 'utf8')).toBe('original');
    });

    it('scripts get the environment they were given, PERL_BADLANG included', async () => {
      const unset = await send([{ kind: 'script', script: '[ "${PERL_BADLANG-unset}" = unset ]' }]);
      expect(unset).toEqual({ done: 1 });
      const given = await send([{ kind: 'script', script: '[ "$PERL_BADLANG" = 7 ] && [ "$OTHER" = "a b" ]' }], undefined, { PERL_BADLANG: '7', OTHER: 'a b' });
      expect(given).toEqual({ done: 1 });
    });

    // perl warns on stderr at start where the locale is not installed: the read riding along owns stderr
    it('a locale the host lacks adds nothing to what the read riding along prints', async () => {
      const outcome = await send([put('f', 'x')], 'echo read', { LC_ALL: 'nop_NOWHERE.UTF-8' });
      expect(outcome).toEqual({ done: 1, tail: { code: 0, stdout: 'read\n', stderr: '' } });
    });
  });
}

const title = 'a write onto a full disk fails naming the errno, keeps the original and leaves no temp file';
describe.skipIf(!canMount)(canMount ? title : `${title} (skipped: ${NOT_ROOT})`, () => {
  let disk: SmallDisk;
  beforeAll(async () => {
    disk = await mountSmallDisk(await mkdtemp(join(tmpdir(), 'nop-batch-disk-')), 64);
  });
  afterAll(() => disk?.unmount());

  for (const host of HOSTS) {
    for (const [kind, text] of [
      ['small text', 'new\n'],
      ['larger content', 'x'.repeat(200 * 1024)],
    ]) {
      it(`${kind}, by ${host.name}`, async () => {
        const counter = await programCounter(host.omit);
        const PATH = process.env.PATH;
        process.env.PATH = counter.path;
        try {
          await writeFile(join(disk.dir, 'kept'), 'original');
          await execFileAsync('sh', ['-c', `head -c 1048576 /dev/zero > '${join(disk.dir, 'filler')}' 2>/dev/null; true`]);
          const batch = opBatch([
            { kind: 'put', dest: join(disk.dir, 'kept'), content: { bytes: Buffer.from(text) }, size: text.length, opts: {} },
            { kind: 'script', script: `touch '${join(dir, 'ran')}'` },
          ]);
          const outcome = batch.parse(await localTransport().exec(batch.script, { stdin: batch.stdin }));
          expect(outcome.done).toBe(0);
          expect(outcome.failure?.stderr).toMatch(/No space left on device/);
          expect(await readFile(join(disk.dir, 'kept'), 'utf8')).toBe('original');
          expect((await readdir(disk.dir)).sort()).toEqual(['filler', 'kept']);
          expect(await readdir(dir)).toEqual([]);
          expect((await counter.programs()).includes('perl')).toBe(host.omit.length === 0);
        } finally {
          process.env.PATH = PATH;
          await counter.cleanup();
          await rm(join(disk.dir, 'filler'), { force: true });
        }
      });
    }
  }
});

// The temp file's name is in the batch's command line, which any local user can read: a link or file planted there
// before perl creates it must fail the write, never be written through (exclusive create, as the shell's set -C).
describe('the perl batch never writes through a temp file planted before it', () => {
  const putArgs = (dest: string, tmp: string, text: string) => ['', '', 'cafe', '3600', 'p', dest, tmp, String(text.length), '420', '', '', 'END\n'];
  for (const planted of ['link', 'file']) {
    it(`a ${planted}`, async () => {
      const target = join(dir, 'target');
      await writeFile(target, 'untouched');
      const tmp = join(dir, '.dest.nop-0123456789ab');
      if (planted === 'link') await symlink(target, tmp);
      else await writeFile(tmp, 'planted');
      const text = 'secret\n';
      const child = execFile('perl', ['-e', PERL_BATCH_PROGRAM, '--', ...putArgs(join(dir, 'dest'), tmp, text)]);
      // perl refuses before it reads its stdin, and may be gone before it is written
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(`${text}END\n`);
      const out = await new Promise<string>((resolve) => {
        let all = '';
        child.stdout?.on('data', (d) => (all += d));
        child.on('close', () => resolve(all));
      });
      expect(out).toMatch(/@@nop-cafe-B0\ncannot create .*: File exists\n\n@@nop-cafe-E0 1\n/);
      expect(await readFile(target, 'utf8')).toBe('untouched');
      expect((await readdir(dir)).sort()).toEqual(['.dest.nop-0123456789ab', 'target']);
    });
  }

  // the flags perl uses without loading Fcntl are the ones Fcntl gives on this machine
  it.skipIf(!['x64', 'ia32', 'arm', 'arm64', 'ppc64', 's390x', 'riscv64'].includes(process.arch))(
    'creates exclusively with the flags of this machine',
    async () => {
      const { stdout } = await execFileAsync('perl', ['-MFcntl', '-e', 'print O_WRONLY|O_CREAT|O_EXCL']);
      expect(Number(stdout)).toBe(0o301);
    },
  );
});

// A read stream asks for its file's open on the next tick, and the open is pending until the event loop runs again:
// counted then, it shows whether building a batch started one.
const pendingOpensAfterTick = async (): Promise<number> => {
  await new Promise((resolve) => process.nextTick(resolve));
  return process.getActiveResourcesInfo().filter((r) => r === 'FSReqCallback').length;
};

// the runner builds a batch to measure its command line before it sends one (lib/runner/write-behind.ts)
it('a batch whose stdin is never read opens none of its files', async () => {
  await writeFile(join(dir, 'content'), 'x');
  const before = process.getActiveResourcesInfo().filter((r) => r === 'FSReqCallback').length;
  const batch = opBatch([{ kind: 'put', dest: join(dir, 'x'), content: { path: join(dir, 'content') }, size: 1, opts: {} }]);
  expect(batch.script.length).toBeGreaterThan(0);
  expect(await pendingOpensAfterTick()).toBe(before);
  // reading it does open the file: the count above can tell
  const stream = batch.stdin as NodeJS.ReadableStream;
  expect(await pendingOpensAfterTick()).toBe(before + 1);
  let read = '';
  for await (const chunk of stream) read += chunk;
  expect(read.startsWith('x')).toBe(true);
});
