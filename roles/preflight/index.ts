import { defineRole } from '../../lib/roles/role.js';
import { checkDisk } from './disk-check.js';
import { checkOs } from './os-check.js';
import { checkPorts } from './port-check.js';
import { PreflightVarsSchema } from './vars.js';

/** What must hold before nop changes anything: a supported OS, room for weights and chain data, free ports. */
export default defineRole({
  name: 'preflight',
  vars: PreflightVarsSchema,
  tasks: [
    { name: 'Supported OS and architecture', run: checkOs, check_mode: false },
    { name: 'Free disk space for the deploy dir and HF_HOME', run: checkDisk, check_mode: false },
    { name: 'Ports nop publishes are free', run: checkPorts, check_mode: false },
  ],
});
