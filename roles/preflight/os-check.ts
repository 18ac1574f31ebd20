import { systemFacts } from '../../lib/facts/builtin/system.js';
import { request } from '../../lib/facts/fact.js';
import { SUPPORTED_OS, SUPPORTED_OS_TEXT } from '../../lib/gonka/supported-os.js';
import type { Precondition } from '../../lib/roles/role.js';
import type { PreflightVars } from './vars.js';

/** A supported distribution on x86_64 (the Gonka images are built for it only), from the system facts. */
export const osCheck: Precondition<PreflightVars> = {
  name: 'Supported OS and architecture',
  facts: () => [request(systemFacts, undefined)],
  invalidates: [],
  run: async (ctx) => {
    const sys = await ctx.facts.read(systemFacts, undefined);
    const os = { id: sys.distribution, version: sys.distribution_version, arch: sys.architecture };
    const name = `${os.id} ${os.version} (${os.arch})`;
    if (os.arch !== 'x86_64') {
      return {
        changed: false,
        failed: true,
        msg: `unsupported architecture ${os.arch}: the Gonka images are built for x86_64 only; use an x86_64 server (${SUPPORTED_OS_TEXT})`,
      };
    }
    if (!SUPPORTED_OS[os.id]?.includes(os.version))
      return { changed: false, failed: true, msg: `unsupported OS ${name}: nop supports ${SUPPORTED_OS_TEXT}; reinstall the server with one of them` };
    return { changed: false, msg: `${name} is supported`, os };
  },
};
