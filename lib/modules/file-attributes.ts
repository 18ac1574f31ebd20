import { z } from 'zod';
import type { FileState } from '../facts/builtin/file-stat.js';
import { shellJoin } from '../transport/shell-quote.js';
import { formatMode, modeArg, type ModeSpec } from './arg-types.js';
import { applySymbolicMode } from './symbolic-mode.js';

/** The `mode`, `owner`, `group` arguments every file-writing module takes. */
export const fileAttributeArgs = {
  mode: modeArg.optional(),
  owner: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
};

/** A path's attributes (as found, or as they will be). */
export interface FileAttributes {
  mode?: number;
  owner?: string;
  group?: string;
}

/** The attributes a task asks for: its mode may be symbolic, relative to the path's current mode. */
export interface WantedAttributes {
  mode?: ModeSpec;
  owner?: string;
  group?: string;
}

// what a new path starts with before its mode is set (umask 022): the base a symbolic mode applies to
const NEW_MODE = { file: 0o644, directory: 0o755 } as const;

/**
 * The number a wanted mode comes to on a path whose mode is `current`: a number is itself; a symbolic
 * mode applies to the current mode (to a new path's usual one when it does not exist yet).
 */
export const resolveMode = (want: ModeSpec, current: number | undefined, isDirectory: boolean): number =>
  typeof want === 'number' ? want : applySymbolicMode(want, current ?? (isDirectory ? NEW_MODE.directory : NEW_MODE.file), isDirectory);

const wantedMode = (state: FileState, want: WantedAttributes): number | undefined =>
  want.mode === undefined ? undefined : resolveMode(want.mode, state.mode, state.type === 'directory');

/** The chmod/chown commands that give an existing path the wanted attributes; empty when it has them. */
export const attributeCommands = (state: FileState, want: WantedAttributes): string[] => {
  const isLink = state.type === 'link';
  const commands: string[] = [];
  const mode = wantedMode(state, want);
  // a symlink's own mode means nothing on Linux; chmod would change its target
  if (mode !== undefined && state.mode !== mode && !isLink) {
    commands.push(`chmod ${formatMode(mode)} -- ${shellJoin([state.path])}`);
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
export const mergeAttributes = (state: FileState, want: WantedAttributes): FileAttributes => ({
  mode: wantedMode(state, want) ?? state.mode,
  owner: want.owner ?? state.owner,
  group: want.group ?? state.group,
});

/** Only the attributes a task names: the ones it compares, so the only ones its diff shows. */
export const namedAttributes = (a: FileAttributes, want: WantedAttributes): FileAttributes => ({
  mode: want.mode === undefined ? undefined : a.mode,
  owner: want.owner === undefined ? undefined : a.owner,
  group: want.group === undefined ? undefined : a.group,
});
