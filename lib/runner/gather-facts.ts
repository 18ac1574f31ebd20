import { setupModule } from '../modules/builtin/setup.js';
import type { ModuleDefinition } from '../modules/module.js';
import type { PlaySpec, TaskSpec } from './types.js';

/** Ansible's implicit first task of a play that gathers facts. */
export const gatherFactsTask = (play: PlaySpec): TaskSpec => ({
  name: 'Gathering Facts',
  tags: ['always'],
  check_mode: false,
  source: play.source,
  action: { kind: 'module', module: setupModule as ModuleDefinition, args: {} },
});
