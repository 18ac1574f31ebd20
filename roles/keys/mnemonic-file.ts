import { posix } from 'node:path';
import { defineFact } from '../../lib/facts/fact.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import { shellJoin, shellQuote } from '../../lib/transport/shell-quote.js';

/** Whether the file holding a cold key's mnemonic is there, and private. */
export type MnemonicFileState = 'stored' | 'missing' | 'empty' | 'not a regular file' | 'readable by others';

const stateOf = (line: string): MnemonicFileState => {
  if (!line) return 'missing';
  const [perms = '', , , , size] = line.trim().split(/\s+/);
  if (!perms.startsWith('-')) return 'not a regular file';
  if (/[^-]/.test(perms.slice(4, 10))) return 'readable by others';
  return Number(size) > 0 ? 'stored' : 'empty';
};

/**
 * The mnemonic file's state, read with `ls -ldn` (POSIX, so the operator's own Linux or macOS machine answers the
 * same as a server): `-rw------- 1 1000 1000 217 …`. Only its mode and size are read, never its content.
 */
export const mnemonicFile = defineFact<string, MnemonicFileState>({
  name: 'mnemonic_file',
  // one NUL-terminated `ls -ldn` line per file, empty for a missing one
  command: (files) => `for f in ${shellJoin(files)}; do printf '%s\\0' "$(ls -ldn -- "$f" 2>/dev/null)"; done`,
  parse: ({ stdout }, files) => {
    const lines = stdout.split('\0');
    return files.map((_f, i) => stateOf(lines[i] ?? ''));
  },
  key: (f) => f,
});

/**
 * Writes the mnemonic into a temp file beside FILE (0600 from the start: umask 077), checks that every byte
 * reached it, flushes it, then links it to FILE, which fails if FILE exists (a mnemonic is never written over
 * another key's). The mnemonic goes on stdin only. Any failure leaves no FILE and no temp file behind.
 */
const storeScript = (file: string, bytes: number): string => {
  const dir = posix.dirname(file);
  return [
    'umask 077',
    `mkdir -p -- ${shellQuote(dir)} || exit 1`,
    `tmp=$(mktemp ${shellQuote(posix.join(dir, `.${posix.basename(file)}.nop-${'X'.repeat(6)}`))}) || exit 1`, // mktemp fills in the Xs
    `trap 'rm -f -- "$tmp"' EXIT`,
    'cat > "$tmp" || exit 1',
    `n=$(wc -c < "$tmp" | tr -d ' ')`,
    `[ "$n" = ${bytes} ] || { echo "only $n of ${bytes} bytes were written" >&2; exit 1; }`,
    'chmod 0600 "$tmp" || exit 1',
    '{ sync -- "$tmp" 2>/dev/null || sync; }',
    `ln -- "$tmp" ${shellQuote(file)}`,
  ].join('\n');
};

/** Store a freshly created key's mnemonic in FILE (0600, atomic, checked by reading it back); throws what went wrong. */
export const storeMnemonic = async (ctx: ModuleContext, file: string, mnemonic: string): Promise<void> => {
  const content = Buffer.from(`${mnemonic}\n`);
  const res = await ctx.exec(storeScript(file, content.length), { stdin: content.toString('utf8') });
  // stderr's last line: cat's or ln's own words ("No space left on device", "File exists")
  if (res.code !== 0) throw new Error(res.stderr.trim().split('\n').at(-1) || `rc=${res.code}`);
  ctx.facts.invalidate([{ fact: mnemonicFile, arg: file }]);
  const state = await ctx.facts.read(mnemonicFile, file);
  if (state !== 'stored') throw new Error(`${file} is ${state} after writing it`);
  const back = await ctx.transport.get(file, { become: ctx.become });
  if (!back.equals(content)) throw new Error(`${file} does not hold what was written`);
};
