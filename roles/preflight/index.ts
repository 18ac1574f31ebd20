import { defineRole } from '../../lib/roles/role.js';
import { cpuCheck } from './cpu-check.js';
import { diskCheck } from './disk-check.js';
import { osCheck } from './os-check.js';
import { portCheck } from './port-check.js';
import { PreflightVarsSchema } from './vars.js';

/**
 * What must hold before nop changes anything: a supported OS, a CPU the chain binaries run on (a network node's), room for weights and chain data, free ports. They are
 * preconditions: checked on every host before the first play changes anything, with every other role's, their facts
 * read in the same batch as the first play's (lib/runner/preconditions.ts).
 */
export default defineRole({
  name: 'preflight',
  vars: PreflightVarsSchema,
  preconditions: [osCheck, cpuCheck, diskCheck, portCheck],
  tasks: [],
});
