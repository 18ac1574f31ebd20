import { loadVersions, RELEASE_COMPONENTS, versionsFile, writeVersions, type Versions } from '../gonka/versions.js';
import { OptionError } from './extra-vars.js';

export interface VersionsCommandOptions {
  json?: boolean;
  refresh?: boolean;
  /** the releases endpoint answering `{ "tag_name": "release/v0.2.12" }` */
  source?: string;
  /** the versions file (default data/versions.yml) */
  file?: string;
  timeoutMs?: number;
  out?: (text: string) => void;
}

export const DEFAULT_RELEASE_SOURCE = 'https://api.github.com/repos/gonka-ai/gonka/releases/latest';

/** The upstream release could not be read: unreachable, timed out, or an unexpected answer. */
export class ReleaseSourceError extends Error {
  constructor(source: string, reason: string) {
    super(`cannot read the latest release from ${source}: ${reason}`);
    this.name = 'ReleaseSourceError';
  }
}

const fetchLatestTag = async (source: string, timeoutMs: number): Promise<string> => {
  let res: Response;
  try {
    res = await fetch(source, { headers: { accept: 'application/vnd.github+json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    throw new ReleaseSourceError(source, cause);
  }
  if (!res.ok) throw new ReleaseSourceError(source, `HTTP ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as { tag_name?: unknown };
  const version = typeof body.tag_name === 'string' ? /v?(\d+\.\d+\.\d+\S*)$/.exec(body.tag_name)?.[1] : undefined;
  if (!version) throw new ReleaseSourceError(source, `no release tag in the answer (tag_name ${JSON.stringify(body.tag_name)})`);
  return version;
};

const refreshed = (current: Versions, version: string): Versions => ({
  ...current,
  release: `v${version}`,
  ...Object.fromEntries(RELEASE_COMPONENTS.map((c) => [c, version])),
});

const changes = (a: Versions, b: Versions): string[] =>
  (Object.keys(a) as (keyof Versions)[]).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} -> ${b[k]}`);

const table = (v: Versions): string =>
  Object.entries(v)
    .map(([k, tag]) => `${k.padEnd(9)} ${tag}`)
    .join('\n');

/** `nop versions [--json] [--refresh [--source URL]]`: the pinned image tags, or move them to the latest release. */
export const versionsCommand = async (opts: VersionsCommandOptions): Promise<number> => {
  const out = opts.out ?? ((t: string) => process.stdout.write(`${t}\n`));
  if (opts.source !== undefined && !opts.refresh) throw new OptionError('--source needs --refresh');
  const file = opts.file ?? versionsFile();
  const current = await loadVersions(file);
  if (!opts.refresh) {
    out(opts.json ? JSON.stringify(current, null, 2) : table(current));
    return 0;
  }
  const next = refreshed(current, await fetchLatestTag(opts.source ?? DEFAULT_RELEASE_SOURCE, opts.timeoutMs ?? 10_000));
  const diff = changes(current, next);
  if (diff.length === 0) {
    out(opts.json ? JSON.stringify({ changed: false, versions: current }, null, 2) : `${file} is up to date (${current.release})`);
    return 0;
  }
  const backup = await writeVersions(next, file);
  out(
    opts.json
      ? JSON.stringify({ changed: true, changes: diff, backup, versions: next }, null, 2)
      : [...diff, `updated ${file} (previous version kept in ${backup})`].join('\n'),
  );
  return 0;
};
