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

/** Bad inventory input: the message names the file, line, column and field path when they are known. */
export class InventoryError extends Error {
  constructor(
    readonly reason: string,
    readonly at?: InventoryLocation,
  ) {
    super(at ? `${formatLocation(at)}: ${reason}` : reason);
    this.name = 'InventoryError';
  }
}
