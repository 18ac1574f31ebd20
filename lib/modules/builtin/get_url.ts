import { basename, posix } from 'node:path';
import { z } from 'zod';
import { fileChecksum } from '../../facts/builtin/file-checksum.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat, type FileState } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, formatMode, intArg } from '../arg-types.js';
import { curlConfig, headerOptions, headersArg } from '../curl-config.js';
import { execChecked } from '../exec-checked.js';
import { attributeCommands, fileAttributeArgs, resolveMode } from '../file-attributes.js';
import { defineModule, type Change, type FileDiff, type ModuleContext, type ModuleResult, type Plan } from '../module.js';

const getUrlArgs = z.strictObject({
  url: z.string().regex(/^(https?|ftp):\/\//, 'url must be http(s):// or ftp://'),
  /** a file, or a directory to download into under the URL's file name */
  dest: z.string().min(1),
  /** `sha256:<hex>`: verified before the file replaces dest; also makes an interrupted download resume */
  checksum: z
    .string()
    .regex(/^sha256:[0-9a-fA-F]{64}$/, 'checksum must be sha256:<64 hex digits>')
    .transform((s) => s.slice('sha256:'.length).toLowerCase())
    .optional(),
  /** download even when dest exists (without a checksum an existing dest is otherwise kept) */
  force: boolArg.default(false),
  /** seconds to connect, and seconds a stalled transfer may last */
  timeout: intArg.default(10),
  headers: headersArg.optional(),
  ...fileAttributeArgs,
});

type GetUrlArgs = z.output<typeof getUrlArgs>;

const EXIT_DOWNLOAD = 3;
const EXIT_CHECKSUM = 4;

// Runs on the host: curl into dest.part (resuming only when a checksum will catch a stale part),
// verify, then rename over dest. The curl config (url, headers) arrives on stdin.
const DOWNLOAD = `dest=$1 want=$2 t=$3 mode=$4 own=$5
cfg=$(cat)
part="$dest.part"
fetch() { info=$(printf '%s\\n' "$cfg" | curl -K - -fsSL --retry 3 --connect-timeout "$t" --speed-limit 1 --speed-time "$t" -w '%{http_code} %{size_download}' "$@" -o "$part"); }
if [ -n "$want" ]; then fetch -C -; else rm -f -- "$part"; fetch; fi
rc=$?
# a refused resume: 33 (no range support) or 22 (often 416: the part is already whole, or stale)
if [ -n "$want" ] && { [ $rc -eq 33 ] || [ $rc -eq 22 ]; } && [ -f "$part" ]; then
  if [ "$(sha256sum -- "$part" | cut -d' ' -f1)" = "$want" ]; then rc=0; else rm -f -- "$part"; fetch; rc=$?; fi
fi
if [ $rc -ne 0 ]; then echo "curl exit $rc" >&2; exit ${EXIT_DOWNLOAD}; fi
got=$(sha256sum -- "$part" | cut -d' ' -f1)
if [ -n "$want" ] && [ "$got" != "$want" ]; then rm -f -- "$part"; echo "$got"; exit ${EXIT_CHECKSUM}; fi
old=$(sha256sum -- "$dest" 2>/dev/null | cut -d' ' -f1)
sha1=$(sha1sum -- "$part" | cut -d' ' -f1)
oldsha1=$(sha1sum -- "$dest" 2>/dev/null | cut -d' ' -f1)
if [ "$old" = "$got" ]; then rm -f -- "$part"; echo "same $got $sha1 \${oldsha1:--} $info"; exit 0; fi
if [ -n "$mode" ]; then chmod "$mode" -- "$part" || exit 1; fi
if [ -n "$own" ]; then chown -- "$own" "$part" || exit 1; fi
mv -f -- "$part" "$dest" && echo "new $got $sha1 \${oldsha1:--} $info"`;

const resolveDest = async (ctx: ModuleContext, args: GetUrlArgs): Promise<string> => {
  const state = await ctx.facts.read(fileStat, args.dest);
  if (state.type !== 'directory' && !args.dest.endsWith('/')) return args.dest;
  const name = basename(new URL(args.url).pathname);
  if (!name) throw new Error(`cannot name a file in ${args.dest} after ${args.url}: give dest a file name`);
  return posix.join(args.dest, name);
};

const ownership = (args: GetUrlArgs, state: FileState): string => {
  const owner = args.owner ?? (state.exists ? state.owner : undefined);
  const group = args.group ?? (state.exists ? state.group : undefined);
  return owner === undefined && group === undefined ? '' : `${owner ?? ''}${group !== undefined ? `:${group}` : ''}`;
};

const diffOf = (dest: string, state: FileState, checksum: string | null, after: string): FileDiff => ({
  path: dest,
  before: state.exists ? `sha256: ${checksum ?? `(${state.type})`}\n` : '',
  after: `sha256: ${after}\n`,
});

/** Fix dest's attributes (its content is right), or download into it. */
interface GetUrlChange extends Change {
  dest: string;
  state: FileState;
  commands?: string[];
}

const download = async (ctx: ModuleContext, args: GetUrlArgs, change: GetUrlChange): Promise<Partial<ModuleResult>> => {
  const { dest, state } = change;
  const mode = args.mode === undefined ? (state.exists ? state.mode : undefined) : resolveMode(args.mode, state.exists ? state.mode : undefined, false);
  const argv = [dest, args.checksum ?? '', String(args.timeout), mode === undefined ? '' : formatMode(mode), ownership(args, state)];
  const config = curlConfig([['url', args.url], ...headerOptions(args.headers)]);
  const res = await ctx.exec(`set -- ${shellJoin(argv)}\n${DOWNLOAD}`, { stdin: config });
  if (res.code === EXIT_CHECKSUM) {
    const got = res.stdout.trim();
    return { changed: false, failed: true, checksum_src: got, msg: `The checksum for ${dest} did not match ${args.checksum}; it was ${got}.` };
  }
  if (res.code !== 0) return { changed: false, failed: true, msg: `Request failed: ${res.stderr.trim()}` };
  // Ansible's return values: SHA-1s of what arrived and of what dest held before, the HTTP status, the size
  const [verdict, , sha1, oldSha1, status, size] = res.stdout.trim().split(' ');
  const changed = verdict === 'new';
  return { changed, checksum_src: sha1, checksum_dest: oldSha1 === '-' ? null : oldSha1, status_code: Number(status), msg: `OK (${size} bytes)` };
};

/** Download a file on the host itself (curl), atomically, verified against a sha256 when given. */
export const getUrlModule = defineModule({
  name: 'get_url',
  args: getUrlArgs,
  facts: (args) => [request(fileStat, args.dest), request(fileChecksum, args.dest), request(fileStat, posix.dirname(args.dest))],
  plan: async (args, ctx): Promise<Plan<GetUrlChange>> => {
    if (!args.dest.endsWith('/') && !(await ctx.facts.read(fileStat, posix.dirname(args.dest))).exists) {
      return { changes: [], result: { dest: args.dest, checksum_dest: null }, failed: `Destination ${posix.dirname(args.dest)} does not exist` };
    }
    const dest = await resolveDest(ctx, args);
    const state = await ctx.facts.read(fileStat, dest);
    const checksum = state.type === 'file' ? await ctx.facts.read(fileChecksum, dest) : null;
    const current = state.type === 'file' && (args.checksum === undefined || checksum === args.checksum);
    if (current && !args.force) {
      const commands = attributeCommands(state, args);
      const result = { dest, checksum_dest: checksum, msg: 'file already exists' };
      if (commands.length === 0) return { changes: [], result };
      return { changes: [{ summary: `set attributes of ${dest}`, invalidates: fileFactsOf(dest), dest, state, commands }], result };
    }
    const change: GetUrlChange = {
      summary: `download ${args.url} to ${dest}`,
      diff: ctx.diff ? diffOf(dest, state, checksum, args.checksum ?? '(to be downloaded)') : undefined,
      invalidates: fileFactsOf(dest),
      dest,
      state,
    };
    return { changes: [change], result: { dest, msg: 'would download' } };
  },
  apply: async ([change], args, ctx) => {
    if (!change.commands) return download(ctx, args, change);
    await execChecked(ctx, change.commands.join(' && '));
    return undefined;
  },
});
