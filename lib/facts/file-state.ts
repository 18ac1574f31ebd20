import { shellJoin } from '../transport/shell-quote.js';
import type { ExecOptions, Transport } from '../transport/transport.js';

export interface FileState {
  path: string;
  exists: boolean;
  type?: 'file' | 'directory' | 'link' | 'other';
  /** permission bits, e.g. 0o644 */
  mode?: number;
  owner?: string;
  group?: string;
  size?: number;
  /** hex sha256 of a regular file's content */
  sha256?: string;
  /** target of a symbolic link */
  linkTarget?: string;
}

export interface FileProbe {
  path: string;
  /** also fetch the content (for modules that edit a file in place) */
  content?: boolean;
}

export interface ProbedFile {
  state: FileState;
  content?: Buffer | null;
}

const typeOf = (statType: string): FileState['type'] => {
  if (statType.startsWith('regular')) return 'file';
  if (statType === 'directory') return 'directory';
  if (statType === 'symbolic link') return 'link';
  return 'other';
};

// One line per path, by index, so odd characters in names never confuse the parser.
const probeScript = (probes: readonly FileProbe[]): string => {
  const paths = shellJoin(probes.map((p) => p.path));
  const wanted = shellJoin(probes.map((p) => (p.content ? '1' : '0')));
  return `set -- ${wanted}
i=0
for p in ${paths}; do
  want=$1; shift
  if s=$(stat -c '%F|%a|%U|%G|%s' -- "$p" 2>/dev/null); then
    h=; c=; l=
    if [ -f "$p" ] && [ ! -L "$p" ]; then
      h=$(sha256sum -- "$p" 2>/dev/null | cut -d' ' -f1)
      [ "$want" = 1 ] && c=$(base64 -w0 -- "$p" 2>/dev/null)
    fi
    [ -L "$p" ] && l=$(readlink -- "$p")
    printf '%s|%s|%s|%s|%s\\n' "$i" "$s" "$h" "$c" "$l"
  else
    printf '%s|absent\\n' "$i"
  fi
  i=$((i+1))
done`;
};

const parseLine = (line: string, probes: readonly FileProbe[]): [number, ProbedFile] => {
  const [idx, kind, mode, owner, group, size, sha, content, ...link] = line.split('|');
  const i = Number(idx);
  const path = probes[i].path;
  if (kind === 'absent') return [i, { state: { path, exists: false }, content: probes[i].content ? null : undefined }];
  const type = typeOf(kind);
  return [
    i,
    {
      state: {
        path,
        exists: true,
        type,
        mode: parseInt(mode, 8),
        owner,
        group,
        size: Number(size),
        sha256: sha || undefined,
        linkTarget: type === 'link' ? link.join('|') : undefined,
      },
      content: probes[i].content && type === 'file' ? Buffer.from(content, 'base64') : undefined,
    },
  ];
};

/** Stat (and optionally read) many paths in one remote call. */
export const probeFiles = async (transport: Transport, probes: readonly FileProbe[], opts: ExecOptions = {}): Promise<ProbedFile[]> => {
  if (probes.length === 0) return [];
  const res = await transport.exec(probeScript(probes), opts);
  if (res.code !== 0) throw new Error(`file probe failed: ${res.stderr.trim()}`);
  const out: ProbedFile[] = [];
  for (const line of res.stdout.split('\n').filter(Boolean)) {
    const [i, probed] = parseLine(line, probes);
    out[i] = probed;
  }
  return out;
};
