import { shellJoin } from '../../../lib/transport/shell-quote.js';
import type { SandboxHost } from '../../helpers/sandbox-host.js';
import type { FileRecord } from './types.js';

const TYPES: Record<string, FileRecord['type']> = { f: 'file', d: 'directory', l: 'link' };

/** The watched paths as they are inside the sandbox: type, mode, owner, group, link target and content hash. */
export const snapshotFiles = async (host: SandboxHost, paths: readonly string[]): Promise<Record<string, FileRecord>> => {
  if (paths.length === 0) return {};
  const listing = await host.sh(`for p in ${shellJoin(paths)}; do
  if [ -e "$p" ] || [ -L "$p" ]; then find "$p" -printf '%p\\0%y\\0%m\\0%u\\0%g\\0%l\\0'; else printf '%s\\0-\\0\\0\\0\\0\\0' "$p"; fi
done`);
  const sums = await host.sh(`find ${shellJoin(paths)} -type f -print0 2>/dev/null | xargs -0 -r sha256sum -z --`);
  const hashes = new Map<string, string>();
  for (const line of sums.stdout.split('\0')) {
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(line);
    if (m) hashes.set(m[2], m[1]);
  }
  const out: Record<string, FileRecord> = {};
  const f = listing.stdout.split('\0');
  for (let i = 0; i + 6 <= f.length; i += 6) {
    const [path, y, mode, owner, group, target] = f.slice(i, i + 6);
    if (y === '-') {
      out[path] = { type: 'absent' };
      continue;
    }
    const type = TYPES[y] ?? 'other';
    out[path] = {
      type,
      mode: mode.padStart(4, '0'),
      owner,
      group,
      ...(type === 'file' ? { sha256: hashes.get(path) } : {}),
      ...(type === 'link' ? { target } : {}),
    };
  }
  return out;
};

/** Each probe's output (stdout, then `rc=N` when it failed) inside the sandbox. */
export const runProbes = async (host: SandboxHost, probes: Record<string, string>): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  for (const [name, script] of Object.entries(probes)) {
    const res = await host.sh(script);
    out[name] = res.code === 0 ? res.stdout : `${res.stdout}rc=${res.code}\n`;
  }
  return out;
};
