import { notDeployed } from '../../lib/gonka/deployed.js';
import { defineRole } from '../../lib/roles/role.js';
import { readStreamAges, setStreamAges } from './streams.js';
import { NatsVarsSchema } from './vars.js';

/**
 * Give the api's NATS streams (txs_to_send, txs_to_observe) a max age, 24 h by default: streams an api older than
 * v0.2.6 created keep every message forever and the api's memory grows. Shows the current setting first; idempotent.
 */
export default defineRole({
  name: 'nats',
  vars: NatsVarsSchema,
  tasks: [
    {
      name: 'Current NATS stream max age',
      check_mode: false,
      invalidates: [],
      run: async (ctx, v) => {
        const missing = await notDeployed(ctx, v.gonka_deploy_dir);
        if (missing) return { changed: false, failed: true, msg: missing };
        return readStreamAges(ctx, v);
      },
    },
    { name: 'NATS stream max age set', run: setStreamAges },
  ],
});
