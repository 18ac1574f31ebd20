import { aptModule } from './apt.js';

/**
 * Ansible's generic package module: on the Debian family it is apt, with apt's arguments (Ansible passes them
 * through to its backend), so it is the apt module under its own name.
 */
export const packageModule = { ...aptModule, name: 'package' };
