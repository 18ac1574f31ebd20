import { fileChecksum } from '../facts/builtin/file-checksum.js';
import { fileContent } from '../facts/builtin/file-content.js';
import { fileFactsOf } from '../facts/builtin/file-facts.js';
import { fileStat, type FileState } from '../facts/builtin/file-stat.js';
import { identity, type Identity } from '../facts/builtin/identity.js';
import { request, type FactRequest, type KnownFact } from '../facts/fact.js';
import type { PutOptions } from '../transport/transport.js';
import { formatMode } from './arg-types.js';
import { backupFile } from './backup-file.js';
import type { ContentSource } from './content-source.js';
import { MAX_DIFF_BYTES, contentSummary, diffText } from './diff-text.js';
import {
  attributeCommands,
  describeAttributes,
  mergeAttributes,
  namedAttributes,
  resolveMode,
  type FileAttributes,
  type WantedAttributes,
} from './file-attributes.js';
import type { Change, FileDiff, ModuleContext, Plan } from './module.js';
import { stageValidated } from './validated-write.js';

/** A regular file a module wants at a path: its content and, optionally, its attributes. */
export interface WantedFile extends WantedAttributes {
  path: string;
  source: ContentSource;
  /** keep a copy of the replaced file (Ansible's `backup: true`) */
  backup?: boolean;
  /** the content is secret: the diff says only that it changed */
  secret?: boolean;
  /** a command that must accept the new content (`%s`: its path) before it replaces the file */
  validate?: string;
}

/** The file options every module that writes content takes, picked from its arguments. */
type FileOptions = Pick<WantedFile, 'mode' | 'owner' | 'group' | 'backup' | 'secret' | 'validate'>;

/** The file a content-writing module (copy, template, lineinfile, blockinfile, replace) wants: its content and options. */
export const wantedFile = (path: string, source: ContentSource, a: FileOptions): WantedFile => ({
  path,
  source,
  mode: a.mode,
  owner: a.owner,
  group: a.group,
  backup: a.backup,
  secret: a.secret,
  validate: a.validate,
});

/** Replace the content (atomically, with the attributes), or only fix the attributes of the right content. */
export interface FileChange extends Change {
  want: WantedFile;
  /** new content, written with these options */
  put?: PutOptions;
  /** attribute-only: chmod/chown commands */
  commands?: string[];
  /** back up the file being replaced */
  backup: boolean;
}

/** What planning a file's content reads: its state, its checksum and who would create it, all part of the play's batch. */
export const fileContentFacts = (path: string): FactRequest[] => [request(fileStat, path), request(fileChecksum, path), request(identity, undefined)];

const beforeText = async (ctx: ModuleContext, state: FileState, checksum: string | null): Promise<string> => {
  if (state.type !== 'file') return '';
  // a large file is summarized from its facts instead of being fetched just to be summarized
  if ((state.size ?? 0) > MAX_DIFF_BYTES) return contentSummary(state.size ?? 0, checksum ?? '');
  return diffText(await ctx.facts.read(fileContent, state.path));
};

const diffOf = async (ctx: ModuleContext, before: FileState, checksum: string | null, want: WantedFile, contentChanged: boolean): Promise<FileDiff> => {
  if (want.secret) return { path: want.path, before: '', after: '', redact: true };
  if (!contentChanged) {
    return {
      path: want.path,
      before: describeAttributes(namedAttributes(before, want)),
      after: describeAttributes(namedAttributes(mergeAttributes(before, want), want)),
    };
  }
  const privateBefore = before.type === 'file' && before.mode !== undefined && (before.mode & 0o004) === 0;
  return { path: want.path, before: await beforeText(ctx, before, checksum), after: await want.source.text(), ...(privateBefore ? { privateBefore } : {}) };
};

// a replaced file keeps its mode and ownership unless the task names new ones (Ansible's atomic_move)
const putOptions = (before: FileState, want: WantedFile): PutOptions => {
  const kept: FileAttributes = before.type === 'file' ? before : {};
  const mode = want.mode === undefined ? (kept.mode ?? 0o644) : resolveMode(want.mode, kept.mode, false);
  return { mode, owner: want.owner ?? kept.owner, group: want.group ?? kept.group };
};

// what the file's attributes are once written: a new one belongs to who writes it
const writtenAttributes = (put: PutOptions, writer: Identity): FileAttributes => ({
  mode: put.mode,
  owner: put.owner ?? writer.user,
  group: put.group ?? writer.group,
});

// a chown after the chmod clears setuid and setgid: a mode holding them is read again rather than assumed
const SET_ID_BITS = 0o6000;

// what the file is once written: its checksum, and its whole state when its owner and group are known (kept from
// the file it replaces, or named by the task); a new file's owner is whoever wrote it, which the plan cannot know
const knownAfterWrite = (want: WantedFile, put: PutOptions): KnownFact[] => {
  const known: KnownFact[] = [{ fact: fileChecksum, arg: want.path, value: want.source.sha256 } as KnownFact];
  if (put.owner === undefined || put.group === undefined || ((put.mode ?? 0) & SET_ID_BITS) !== 0) return known;
  const state: FileState = { path: want.path, exists: true, type: 'file', mode: put.mode, owner: put.owner, group: put.group, size: want.source.size };
  return [...known, { fact: fileStat, arg: want.path, value: state } as KnownFact];
};

const knownAfterAttributes = (before: FileState, checksum: string | null, attributes: FileAttributes): KnownFact[] => [
  ...(((attributes.mode ?? 0) & SET_ID_BITS) === 0 ? [{ fact: fileStat, arg: before.path, value: { ...before, ...attributes } } as KnownFact] : []),
  { fact: fileChecksum, arg: before.path, value: checksum } as KnownFact,
];

export interface FileContentPlan extends Plan<FileChange> {
  /** the file's attributes once the task is done */
  attributes: FileAttributes;
  /**
   * Whether the task sets attributes the file would not have otherwise (Ansible's "ownership, perms or SE linux
   * context changed"): a replaced file keeps its own, a new one gets mode 0644 and the writer's ownership.
   */
  attributesChanged: boolean;
}

const NEW_FILE_MODE = 0o644;

const setsAttributes = (before: FileState, want: WantedFile): boolean => {
  if (before.type !== 'file') return want.mode !== undefined && want.mode !== NEW_FILE_MODE;
  return attributeCommands(before, want).length > 0;
};

/** Compare a path with the wanted content and attributes; the plan holds at most one change. */
export const planFileContent = async (ctx: ModuleContext, want: WantedFile): Promise<FileContentPlan> => {
  const before = await ctx.facts.read(fileStat, want.path);
  if (before.type === 'directory') return { changes: [], attributes: {}, attributesChanged: false, failed: `${want.path} is a directory` };
  const checksum = before.type === 'file' ? await ctx.facts.read(fileChecksum, want.path) : null;
  const contentChanged = before.type !== 'file' || checksum !== want.source.sha256;
  const commands = contentChanged ? [] : attributeCommands(before, want);
  const attributes = contentChanged ? writtenAttributes(putOptions(before, want), await ctx.facts.read(identity, undefined)) : mergeAttributes(before, want);
  const attributesChanged = setsAttributes(before, want);
  if (!contentChanged && commands.length === 0) return { changes: [], attributes, attributesChanged };
  const change: FileChange = {
    summary: contentChanged ? `write ${want.path}` : `set ${describeAttributes(namedAttributes(attributes, want)).trim().replace(/\n/g, ', ')} on ${want.path}`,
    diff: ctx.diff ? await diffOf(ctx, before, checksum, want, contentChanged) : undefined,
    invalidates: fileFactsOf(want.path),
    becomes: contentChanged ? knownAfterWrite(want, putOptions(before, want)) : knownAfterAttributes(before, checksum, attributes),
    want,
    ...(contentChanged ? { put: putOptions(before, want) } : { commands }),
    backup: contentChanged && want.backup === true && before.type === 'file',
  };
  return { changes: [change], attributes, attributesChanged };
};

/** Carry out a file change: back up, then write atomically, or fix the attributes. */
export const applyFileChange = async (ctx: ModuleContext, change: FileChange): Promise<{ backup_file?: string }> => {
  // validated first: a refused content leaves neither a new file nor a backup behind
  const staged =
    change.put && change.want.validate !== undefined
      ? await stageValidated(ctx, change.want.path, change.want.source, change.put, change.want.validate)
      : undefined;
  const backup_file = change.backup ? await backupFile(ctx, change.want.path) : undefined;
  if (staged) await staged.install();
  else if (change.put) await change.want.source.write(ctx, change.want.path, change.put);
  else await ctx.change((change.commands ?? []).join(' && '));
  return backup_file ? { backup_file } : {};
};

/** Ansible's return values for a module that manages one regular file. */
export const fileResultOf = (want: WantedFile, attributes: FileAttributes): Record<string, unknown> => ({
  dest: want.path,
  checksum: want.source.sha1,
  size: want.source.size,
  state: 'file',
  ...(attributes.mode !== undefined ? { mode: formatMode(attributes.mode) } : {}),
  ...(attributes.owner !== undefined ? { owner: attributes.owner } : {}),
  ...(attributes.group !== undefined ? { group: attributes.group } : {}),
});
