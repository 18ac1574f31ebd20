import { z } from 'zod';
import { fileAttributeFlags } from '../../facts/builtin/file-attribute-flags.js';
import { DIGESTS, fileDigest } from '../../facts/builtin/file-digest.js';
import { fileMime } from '../../facts/builtin/file-mime.js';
import { pathStat, type PathStat } from '../../facts/builtin/path-stat.js';
import { request, type FactRequest } from '../../facts/fact.js';
import { boolArg, formatMode } from '../arg-types.js';
import { defineModule } from '../module.js';

const statArgs = z.strictObject({
  path: z.string().min(1),
  follow: boolArg.default(false),
  get_checksum: boolArg.default(true),
  checksum_algorithm: z.enum(DIGESTS).default('sha1'),
  get_mime: boolArg.default(true),
  get_attributes: boolArg.default(true),
  /** Ansible's undocumented older switch: an md5 beside the checksum */
  get_md5: boolArg.default(false),
});

type StatArgs = z.output<typeof statArgs>;

const S_IFMT = 0o170000;
const TYPES = { isdir: 0o040000, ischr: 0o020000, isblk: 0o060000, isreg: 0o100000, isfifo: 0o010000, islnk: 0o120000, issock: 0o140000 };
const BITS = {
  wusr: 0o200,
  rusr: 0o400,
  xusr: 0o100,
  wgrp: 0o020,
  rgrp: 0o040,
  xgrp: 0o010,
  woth: 0o002,
  roth: 0o004,
  xoth: 0o001,
  isuid: 0o4000,
  isgid: 0o2000,
};

const statFacts = (a: StatArgs): FactRequest[] => [
  request(pathStat, { path: a.path, follow: a.follow }),
  ...(a.get_checksum ? [request(fileDigest, { path: a.path, algorithm: a.checksum_algorithm, follow: a.follow })] : []),
  ...(a.get_md5 ? [request(fileDigest, { path: a.path, algorithm: 'md5' as const, follow: a.follow })] : []),
  ...(a.get_mime ? [request(fileMime, a.path)] : []),
  ...(a.get_attributes ? [request(fileAttributeFlags, a.path)] : []),
];

/** Ansible's stat dictionary, in its order, from the path's facts. */
const describe = (path: string, st: PathStat): Record<string, unknown> => {
  const mode = st.rawMode ?? 0;
  const out: Record<string, unknown> = { exists: true, path, mode: formatMode(mode & 0o7777) };
  for (const [key, type] of Object.entries(TYPES)) out[key] = (mode & S_IFMT) === type;
  Object.assign(out, {
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    inode: st.inode,
    dev: st.dev,
    nlink: st.nlink,
    atime: st.atime,
    mtime: st.mtime,
    ctime: st.ctime,
  });
  for (const [key, bit] of Object.entries(BITS)) out[key] = (mode & bit) !== 0;
  Object.assign(out, { blocks: st.blocks, block_size: st.blockSize, device_type: st.deviceType });
  Object.assign(out, { readable: st.readable, writeable: st.writeable, executable: st.executable });
  if (out.islnk) Object.assign(out, { lnk_source: st.linkSource, lnk_target: st.linkTarget });
  if (st.owner !== undefined) out.pw_name = st.owner;
  if (st.group !== undefined) out.gr_name = st.group;
  return out;
};

/** Ansible's stat: what a path is, read with the play's other facts; never a change. */
export const statModule = defineModule({
  name: 'stat',
  aliases: {
    dest: 'path',
    name: 'path',
    checksum: 'checksum_algorithm',
    checksum_algo: 'checksum_algorithm',
    mime: 'get_mime',
    mime_type: 'get_mime',
    'mime-type': 'get_mime',
    attr: 'get_attributes',
    attributes: 'get_attributes',
  },
  args: statArgs,
  facts: statFacts,
  plan: async (a, ctx) => {
    const st = await ctx.facts.read(pathStat, { path: a.path, follow: a.follow });
    if (!st.exists) return { changes: [], result: { stat: { exists: false } } };
    const out = describe(a.path, st);
    if (out.isreg && out.readable) {
      if (a.get_md5) out.md5 = await ctx.facts.read(fileDigest, { path: a.path, algorithm: 'md5', follow: a.follow });
      if (a.get_checksum) out.checksum = await ctx.facts.read(fileDigest, { path: a.path, algorithm: a.checksum_algorithm, follow: a.follow });
    }
    if (a.get_mime) Object.assign(out, await ctx.facts.read(fileMime, a.path));
    if (a.get_attributes) Object.assign(out, await ctx.facts.read(fileAttributeFlags, a.path));
    return { changes: [], result: { stat: out } };
  },
});
