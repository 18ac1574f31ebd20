import type { FileState } from '../facts/file-state.js';
import type { PutOptions } from '../transport/transport.js';
import { formatMode } from './arg-types.js';
import { backupFile } from './backup-file.js';
import type { ContentSource } from './content-source.js';
import { MAX_DIFF_BYTES, contentSummary, diffText } from './diff-text.js';
import { execChecked } from './exec-checked.js';
import { attributeCommands, describeAttributes, mergeAttributes, namedAttributes, type FileAttributes } from './file-attributes.js';
import type { FileDiff, ModuleContext, ModuleResult } from './module.js';

/** A regular file a module wants at a path: its content and, optionally, its attributes. */
export interface WantedFile extends FileAttributes {
  path: string;
  source: ContentSource;
  /** keep a copy of the replaced file (Ansible's `backup: true`) */
  backup?: boolean;
  /** the content is secret: the diff says only that it changed */
  secret?: boolean;
}

const beforeText = async (ctx: ModuleContext, state: FileState): Promise<string> => {
  if (state.type !== 'file') return '';
  // a large file is summarized from its facts instead of being fetched just to be summarized
  if ((state.size ?? 0) > MAX_DIFF_BYTES) return contentSummary(state.size ?? 0, state.sha256 ?? '');
  return diffText(await ctx.facts.content(state.path));
};

const planDiff = async (ctx: ModuleContext, before: FileState, want: WantedFile, contentChanged: boolean): Promise<FileDiff> => {
  if (want.secret) return { path: want.path, before: '', after: '', redact: true };
  if (!contentChanged) {
    return {
      path: want.path,
      before: describeAttributes(namedAttributes(before, want)),
      after: describeAttributes(namedAttributes(mergeAttributes(before, want), want)),
    };
  }
  return { path: want.path, before: await beforeText(ctx, before), after: await want.source.text() };
};

// a replaced file keeps its mode and ownership unless the task names new ones (Ansible's atomic_move)
const putOptions = (before: FileState, want: WantedFile): PutOptions => {
  const kept: FileAttributes = before.type === 'file' ? before : {};
  return { mode: want.mode ?? kept.mode ?? 0o644, owner: want.owner ?? kept.owner, group: want.group ?? kept.group };
};

export interface FileOutcome {
  changed: boolean;
  diff?: FileDiff[];
  backup_file?: string;
  /** the file's attributes once the task is done (as planned, in check mode) */
  attributes: FileAttributes;
}

/** Make a path hold the wanted content and attributes, changing only what differs; check mode only plans. */
export const ensureFileContent = async (ctx: ModuleContext, want: WantedFile): Promise<FileOutcome> => {
  const before = await ctx.facts.file(want.path);
  if (before.type === 'directory') throw new Error(`${want.path} is a directory`);
  const contentChanged = before.type !== 'file' || before.sha256 !== want.source.sha256;
  const commands = contentChanged ? [] : attributeCommands(before, want);
  const changed = contentChanged || commands.length > 0;
  const attributes = contentChanged ? putOptions(before, want) : mergeAttributes(before, want);
  if (!changed) return { changed, attributes };
  const diff = ctx.diff ? [await planDiff(ctx, before, want, contentChanged)] : undefined;
  if (ctx.check) return { changed, diff, attributes };
  const backup_file = contentChanged && want.backup && before.type === 'file' ? await backupFile(ctx, want.path) : undefined;
  if (contentChanged) await want.source.write(ctx, want.path, putOptions(before, want));
  else await execChecked(ctx, commands.join(' && '));
  ctx.facts.invalidate(want.path);
  return { changed, diff, backup_file, attributes };
};

/** Ansible's return values for a module that manages one regular file. */
export const fileResult = (want: WantedFile, outcome: FileOutcome): ModuleResult => {
  const attrs = outcome.attributes;
  return {
    changed: outcome.changed,
    ...(outcome.diff ? { diff: outcome.diff } : {}),
    ...(outcome.backup_file ? { backup_file: outcome.backup_file } : {}),
    dest: want.path,
    checksum: want.source.sha256,
    size: want.source.size,
    state: 'file',
    ...(attrs.mode !== undefined ? { mode: formatMode(attrs.mode) } : {}),
    ...(attrs.owner !== undefined ? { owner: attrs.owner } : {}),
    ...(attrs.group !== undefined ? { group: attrs.group } : {}),
  };
};
