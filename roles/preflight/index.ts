import { defineRole } from '../../lib/roles/role.js';
import { diskCheck } from './disk-check.js';
import { osCheck } from './os-check.js';
import { portCheck } from './port-check.js';
import { PreflightVarsSchema } from './vars.js';

/**
 * What must hold before nop changes anything: a supported OS, room for weights and chain data, free ports. Each
 * check reads a declared fact, so the three cost no round trip of their own: they are read with the play's other facts.
 */
export default defineRole({
  name: 'preflight',
  vars: PreflightVarsSchema,
  tasks: [osCheck, diskCheck, portCheck],
});
