import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { z } from 'zod';
import { fileDigest } from '../../facts/builtin/file-digest.js';
import { pathStat } from '../../facts/builtin/path-stat.js';
import { request } from '../../facts/fact.js';
import { boolArg } from '../arg-types.js';
import { defineModule, type Change, type ModuleContext } from '../module.js';

const fetchArgs = z.strictObject({
  src: z.string().min(1),
  /** a directory on the controller (the file lands in DEST/HOST/SRC), or with flat the file itself (or DIR/ for DIR/NAME) */
  dest: z.string().min(1),
  flat: boolArg.default(false),
  fail_on_missing: boolArg.default(true),
  validate_checksum: boolArg.default(true),
});

type FetchArgs = z.output<typeof fetchArgs>;

const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('hex');

const readLocal = (path: string): Promise<Buffer | null> => readFile(path).catch(() => null);

/** Where the file lands on the controller, as Ansible's fetch computes it (a relative dest is the playbook's). */
const localDest = (ctx: ModuleContext, a: FetchArgs): string => {
  const base = isAbsolute(a.dest) ? a.dest : join(String(ctx.vars.playbook_dir ?? process.cwd()), a.dest);
  if (a.flat) return normalize(a.dest.endsWith('/') ? join(base, basename(a.src)) : base);
  return normalize(`${base}/${ctx.vars.inventory_hostname ?? ctx.hostname}/${a.src}`);
};

/** Write a controller file whole or not at all: a temp file beside it, then a rename. */
const writeLocal = async (dest: string, data: Buffer): Promise<void> => {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.nop-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
};

interface FetchChange extends Change {
  dest: string;
  remoteChecksum: string;
}

const MISSING = 'the remote file does not exist, not transferring, ignored';

/** Ansible's fetch: a file from the host to the controller, written only when its SHA-1 differs, and checked after. */
export const fetchModule = defineModule({
  name: 'fetch',
  args: fetchArgs,
  facts: (a) => [request(pathStat, { path: a.src, follow: true }), request(fileDigest, { path: a.src, algorithm: 'sha1', follow: true })],
  plan: async (a, ctx) => {
    const st = await ctx.facts.read(pathStat, { path: a.src, follow: true });
    const missing = (msg: string) =>
      a.fail_on_missing ? { changes: [], result: { file: a.src }, failed: msg } : { changes: [], result: { file: a.src, msg } };
    if (!st.exists) return missing(MISSING);
    if (((st.rawMode ?? 0) & 0o170000) === 0o040000) return missing('remote file is a directory, fetch cannot work on directories');
    const remoteChecksum = await ctx.facts.read(fileDigest, { path: a.src, algorithm: 'sha1', follow: true });
    if (remoteChecksum === null) return { changes: [], result: { file: a.src }, failed: `file is not readable: ${a.src}` };
    const dest = localDest(ctx, a);
    const local = await readLocal(dest);
    if (local !== null && digest('sha1', local) === remoteChecksum) {
      return { changes: [], result: { md5sum: digest('md5', local), file: a.src, dest, checksum: remoteChecksum } };
    }
    // nothing on the host changes: no fact goes stale
    const change: FetchChange = { summary: `fetch ${a.src} to ${dest}`, invalidates: [], dest, remoteChecksum };
    return { changes: [change], result: { dest, remote_checksum: remoteChecksum } };
  },
  apply: async ([change], a, ctx) => {
    const data = await ctx.transport.get(a.src, { become: ctx.become });
    const checksum = digest('sha1', data);
    const md5sum = digest('md5', data);
    if (a.validate_checksum && checksum !== change.remoteChecksum) {
      return {
        changed: false,
        failed: true,
        msg: 'checksum mismatch',
        file: a.src,
        dest: change.dest,
        md5sum,
        checksum,
        remote_checksum: change.remoteChecksum,
        remote_md5sum: null,
      };
    }
    await writeLocal(change.dest, data);
    return { md5sum, dest: change.dest, remote_md5sum: null, checksum, remote_checksum: change.remoteChecksum };
  },
});
