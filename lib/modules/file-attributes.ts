import { z } from 'zod';
import type { FileState } from '../facts/builtin/file-stat.js';
import { shellJoin } from '../transport/shell-quote.js';
import { formatMode, modeArg } from './arg-types.js';

/** The `mode`, `owner`, `group` arguments every file-writing module takes. */
export const fileAttributeArgs = {
  mode: modeArg.optional(),
  owner: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
};

export interface FileAttributes {
  mode?: number;
  owner?: string;
  group?: string;
}

/** The chmod/chown commands that give an existing path the wanted attributes; empty when it has them. */
export const attributeCommands = (state: FileState, want: FileAttributes): string[] => {
  const isLink = state.type === 'link';
  const commands: string[] = [];
  // a symlink's own mode means nothing on Linux; chmod would change its target
  if (want.mode !== undefined && state.mode !== want.mode && !isLink) {
    commands.push(`chmod ${formatMode(want.mode)} -- ${shellJoin([state.path])}`);
  }
  const owner = want.owner !== undefined && state.owner !== want.owner ? want.owner : '';
  const group = want.group !== undefined && state.group !== want.group ? want.group : '';
  if (owner || group) {
    const spec = group ? `${owner}:${group}` : owner;
    commands.push(`chown ${isLink ? '-h ' : ''}${shellJoin([spec])} -- ${shellJoin([state.path])}`);
  }
  return commands;
};

/** Attributes as diff text: the lines a reviewer compares when only mode or ownership changes. */
export const describeAttributes = (a: FileAttributes & { state?: string }): string =>
  [
    a.state !== undefined ? `state: ${a.state}` : undefined,
    a.mode !== undefined ? `mode: ${formatMode(a.mode)}` : undefined,
    a.owner !== undefined ? `owner: ${a.owner}` : undefined,
    a.group !== undefined ? `group: ${a.group}` : undefined,
  ]
    .filter((l) => l !== undefined)
    .map((l) => `${l}\n`)
    .join('');

/** What the path's attributes will be once the wanted ones are applied over the current ones. */
export const mergeAttributes = (state: FileState, want: FileAttributes): FileAttributes => ({
  mode: want.mode ?? state.mode,
  owner: want.owner ?? state.owner,
  group: want.group ?? state.group,
});

/** Only the attributes a task names: the ones it compares, so the only ones its diff shows. */
export const namedAttributes = (a: FileAttributes, want: FileAttributes): FileAttributes => ({
  mode: want.mode === undefined ? undefined : a.mode,
  owner: want.owner === undefined ? undefined : a.owner,
  group: want.group === undefined ? undefined : a.group,
});
