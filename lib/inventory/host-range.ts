import { parseAddress } from './address.js';
import { InventoryError, type InventoryLocation } from './errors.js';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

const rangeValues = (beg: string, end: string, step: number, at?: InventoryLocation): string[] => {
  const iBeg = LETTERS.indexOf(beg);
  const iEnd = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new InventoryError('host range must have begin <= end', at);
    return [...LETTERS.slice(iBeg, iEnd + 1)].filter((_, i) => i % step === 0);
  }
  if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) throw new InventoryError(`host range [${beg}:${end}] is neither numeric nor a single-letter range`, at);
  // a leading zero asks for zero padding to the width of the bounds, as in gpu[01:16]
  const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
  if (width && width !== end.length) throw new InventoryError('host range must specify equal-length begin and end formats', at);
  const values: string[] = [];
  for (let i = Number(beg); i <= Number(end); i += step) values.push(String(i).padStart(width, '0'));
  return values;
};

/** Ansible's expand_hostname_range: `db[01:03]-[a:b]` → db01-a, db01-b, db02-a, ... */
export const expandHostRange = (pattern: string, at?: InventoryLocation): string[] => {
  const open = pattern.indexOf('[');
  if (open < 0) return [pattern];
  const close = pattern.indexOf(']', open);
  if (close < 0) throw new InventoryError(`host range in '${pattern}' is missing its closing ']'`, at);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = pattern.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new InventoryError('host range must be begin:end or begin:end:step', at);
  const [beg = '', end = '', stepText = '1'] = bounds;
  if (!end) throw new InventoryError('host range must specify end value', at);
  const step = Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new InventoryError(`host range step must be a positive integer, got '${stepText}'`, at);
  return rangeValues(beg || '0', end, step, at).flatMap((v) => expandHostRange(`${head}${v}${tail}`, at));
};

export interface HostPattern {
  hostnames: string[];
  port?: number;
}

/** A host entry of an inventory (`name`, `name:port`, `gpu[01:16].dc1`) → host names and the port they share. */
export const expandHostPattern = (entry: string, at?: InventoryLocation): HostPattern => {
  const address = parseAddress(entry, true);
  const pattern = address?.host ?? entry;
  if (entry.trim().endsWith(':') && address?.port === undefined) {
    throw new InventoryError(`Invalid host pattern '${entry}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`, at);
  }
  const hostnames = expandHostRange(pattern, at);
  return address?.port === undefined ? { hostnames } : { hostnames, port: address.port };
};
