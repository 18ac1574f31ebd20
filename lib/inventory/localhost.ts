import type { InventoryHost } from './model.js';

/** Names Ansible treats as this machine (C.LOCALHOST). */
export const LOCALHOST_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

export const isLocalhostName = (name: string): boolean => LOCALHOST_NAMES.includes(name);

/**
 * The host Ansible invents when a play targets localhost that the inventory does not define:
 * a local connection, in no group (so `all` does not match it).
 */
export const implicitLocalhost = (name: string): InventoryHost => ({ name, vars: { ansible_connection: 'local' }, groups: [], source: null });
