import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { dirEntries } from '../facts/builtin/dir-entries.js';
import { fileChecksum } from '../facts/builtin/file-checksum.js';
import { fileContent } from '../facts/builtin/file-content.js';
import { fileDigest } from '../facts/builtin/file-digest.js';
import { fileFactsOf } from '../facts/builtin/file-facts.js';
import { fileStat } from '../facts/builtin/file-stat.js';
import { request, type FactRequest } from '../facts/fact.js';
import { shellJoin } from '../transport/shell-quote.js';
import { localFileSource, type ContentSource } from './content-source.js';
import type { ModeSpec } from './arg-types.js';
import { attributeCommands, describeAttributes, mergeAttributes, namedAttributes, type WantedAttributes } from './file-attributes.js';
import { fileContentFacts, planFileContent, type FileChange } from './file-content.js';
import type { Change, ModuleContext, Plan } from './module.js';
import { remoteFileSource } from './remote-source.js';

/** One path of a tree to copy, relative to its top ('' is the top itself). */
export interface TreeEntry {
  rel: string;
  kind: 'dir' | 'file';
  /** a file's content */
  source?: ContentSource;
  /** the mode a new file takes when the task names none (a remote tree keeps its files' modes) */
  mode?: number;
}

/** A directory of the tree: created with its attributes, or its attributes fixed. */
export interface DirChange extends Change {
  commands: string[];
}

export interface TreeOptions {
  mode?: ModeSpec;
  directory_mode?: ModeSpec;
  owner?: string;
  group?: string;
  backup?: boolean;
}

const byPath = (a: TreeEntry, b: TreeEntry) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);

/** A directory on the controller, links followed (Ansible's local_follow), every file hashed. */
export const walkLocalTree = async (root: string): Promise<TreeEntry[]> => {
  const out: TreeEntry[] = [{ rel: '', kind: 'dir' }];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const info = await stat(join(root, child));
      if (info.isDirectory()) {
        out.push({ rel: child, kind: 'dir' });
        await walk(child);
      } else if (info.isFile()) out.push({ rel: child, kind: 'file', source: await localFileSource(join(root, child)) });
      else throw new Error(`copy: ${join(root, child)} is neither a file nor a directory`);
    }
  };
  await walk('');
  return out.sort(byPath);
};

/** A directory on the host (remote_src), read with its files' digests in one round trip. */
export const walkRemoteTree = async (ctx: ModuleContext, root: string): Promise<TreeEntry[]> => {
  const walk = await ctx.facts.read(dirEntries, { path: root });
  const files = walk.entries.filter((e) => e.type === 'file');
  const link = walk.entries.find((e) => e.type !== 'file' && e.type !== 'directory');
  if (link) throw new Error(`copy remote_src: ${link.path} is a ${link.type}: only files and directories are copied`);
  await ctx.facts.readAll(
    files.flatMap((f) => [
      request(fileChecksum, f.path),
      request(fileDigest, { path: f.path, algorithm: 'sha1' }),
      request(fileDigest, { path: f.path, algorithm: 'md5' }),
    ]),
  );
  const entries: TreeEntry[] = [{ rel: '', kind: 'dir' }];
  for (const e of walk.entries) {
    const rel = posix.relative(root, e.path);
    if (e.type === 'directory') {
      entries.push({ rel, kind: 'dir' });
      continue;
    }
    const digests = {
      sha256: (await ctx.facts.read(fileChecksum, e.path)) ?? '',
      sha1: (await ctx.facts.read(fileDigest, { path: e.path, algorithm: 'sha1' })) ?? '',
      md5: (await ctx.facts.read(fileDigest, { path: e.path, algorithm: 'md5' })) ?? '',
      size: e.size,
    };
    entries.push({ rel, kind: 'file', mode: e.mode, source: remoteFileSource(e.path, digests, () => ctx.facts.read(fileContent, e.path)) });
  }
  return entries.sort(byPath);
};

const q = (s: string) => shellJoin([s]);

const planDir = async (ctx: ModuleContext, path: string, o: TreeOptions): Promise<DirChange | string | undefined> => {
  const state = await ctx.facts.read(fileStat, path);
  const want: WantedAttributes = { mode: o.directory_mode, owner: o.owner, group: o.group };
  if (state.exists && state.type !== 'directory') return `cannot copy a directory to ${path}: it is a ${state.type}`;
  const commands = state.exists
    ? attributeCommands(state, want)
    : [`mkdir -p -- ${q(path)}`, ...attributeCommands({ path, exists: false, type: 'directory' }, want)];
  if (commands.length === 0) return undefined;
  return {
    summary: state.exists ? `set attributes of ${path}` : `create ${path}`,
    diff: ctx.diff
      ? {
          path,
          before: state.exists ? describeAttributes({ state: 'directory' }) : 'state: absent\n',
          after: describeAttributes({ state: 'directory', ...namedAttributes(mergeAttributes({ ...state, type: 'directory' }, want), want) }),
        }
      : undefined,
    invalidates: fileFactsOf(path),
    commands,
  };
};

/**
 * Every directory and file of a tree under `destTop`: directories created (directory_mode, owner, group), files
 * whose content differs written (mode, owner, group). One round trip reads the state of every destination.
 */
export const planTree = async (ctx: ModuleContext, entries: TreeEntry[], destTop: string, o: TreeOptions): Promise<Plan<FileChange | DirChange>> => {
  const dest = (rel: string) => (rel ? posix.join(destTop, rel) : destTop);
  const facts: FactRequest[] = entries.flatMap((e) => (e.kind === 'dir' ? [request(fileStat, dest(e.rel))] : fileContentFacts(dest(e.rel))));
  await ctx.facts.readAll(facts);
  const changes: (FileChange | DirChange)[] = [];
  for (const e of entries) {
    if (e.kind === 'dir') {
      const dir = await planDir(ctx, dest(e.rel), o);
      if (typeof dir === 'string') return { changes: [], failed: dir };
      if (dir) changes.push(dir);
      continue;
    }
    const before = await ctx.facts.read(fileStat, dest(e.rel));
    const mode = o.mode ?? (before.type === 'file' ? undefined : e.mode);
    const plan = await planFileContent(ctx, { path: dest(e.rel), source: e.source!, mode, owner: o.owner, group: o.group, backup: o.backup });
    if (plan.failed) return { changes: [], failed: plan.failed };
    changes.push(...plan.changes);
  }
  return { changes };
};
