/** Where in an inventory (or vars) file a problem was found. */
export interface InventoryLocation {
  file: string;
  line?: number;
  column?: number;
  /** the field path inside a YAML document, e.g. `all.children.gpu.hosts` */
  path?: readonly (string | number)[];
}

const formatLocation = (at: InventoryLocation): string => {
  const pos = at.line === undefined ? at.file : `${at.file}:${at.line}${at.column === undefined ? '' : `:${at.column}`}`;
  return at.path && at.path.length > 0 ? `${pos}: ${at.path.join('.')}` : pos;
};

/**
 * Bad inventory input: the message names the file, line, column and field path when they are known; `excerpt`
 * (a YAML syntax error's offending line with a caret, lib/yaml/excerpt.ts) follows it.
 */
export class InventoryError extends Error {
  constructor(
    readonly reason: string,
    readonly at?: InventoryLocation,
    readonly excerpt = '',
  ) {
    super(`${at ? `${formatLocation(at)}: ${reason}` : reason}${excerpt}`);
    this.name = 'InventoryError';
  }
}

/** An inventory source that does not exist: nop fails as Ansible does with `any_unparsed_is_failed` (exit 1). */
export class MissingInventoryError extends Error {
  constructor(readonly source: string) {
    super(`Completely failed to parse inventory source ${source}: no such file or directory`);
    this.name = 'MissingInventoryError';
  }
}

/**
 * Hosts were asked for and none matched: nothing to do is not success. Ansible's message for an empty target
 * (exit 1), and which pattern or --limit matched nothing.
 */
export class NoHostsError extends Error {
  constructor(detail: string) {
    super(`Specified inventory, host pattern and/or --limit leaves us with no hosts to target: ${detail}`);
    this.name = 'NoHostsError';
  }
}
