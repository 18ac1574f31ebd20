import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';

/** This machine, with `env` under every command's own (a test's stand-in tools first on PATH): for runPlaybook's `connect`. */
export const localWithEnv = (env: Record<string, string>): Transport => {
  const t = localTransport();
  return { ...t, exec: (script, opts = {}) => t.exec(script, { ...opts, env: { ...env, ...opts.env } }) };
};
