import { defineRole } from '../../lib/roles/role.js';
import { planTask, testTask } from './run.js';
import { PocTestVarsSchema } from './vars.js';

/**
 * The documented local PoC v2 test of an ML node (reference gonka-operations.md §12; docs FAQ.md "How to simulate
 * Proof-of-Compute"): pause the api, start PoC generation with the documented request, watch the ML node's log for
 * the GPU group and batch lines, report PASSED or FAILED, and put everything back as it was, also after a failure
 * or Ctrl-C. Plans first (the safe window, vLLM serving, the api running); check mode only plans.
 */
export default defineRole({
  name: 'poc-test',
  vars: PocTestVarsSchema,
  tasks: [
    { name: 'PoC test plan', check_mode: false, invalidates: [], run: planTask },
    { name: 'Local PoC test', run: testTask },
  ],
});
