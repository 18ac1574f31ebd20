import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';

import { SUPPORTED_OS, SUPPORTED_OS_TEXT as SUPPORTED_TEXT } from '../../lib/gonka/supported-os.js';

/** The host's os-release and machine architecture, in one round trip. */
const readOs = async (ctx: ModuleContext) => {
  const res = await ctx.exec(`. /etc/os-release 2>/dev/null; printf '%s\\n%s\\n%s\\n' "\${ID:-unknown}" "\${VERSION_ID:-}" "$(uname -m)"`);
  const [id = 'unknown', version = '', arch = ''] = res.stdout.split('\n');
  return { id, version, arch };
};

export const checkOs = async (ctx: ModuleContext): Promise<ModuleResult> => {
  const os = await readOs(ctx);
  const name = `${os.id} ${os.version} (${os.arch})`;
  if (os.arch !== 'x86_64') {
    return {
      changed: false,
      failed: true,
      msg: `unsupported architecture ${os.arch}: the Gonka images are built for x86_64 only; use an x86_64 server (${SUPPORTED_TEXT})`,
    };
  }
  if (!SUPPORTED_OS[os.id]?.includes(os.version)) {
    return { changed: false, failed: true, msg: `unsupported OS ${name}: nop supports ${SUPPORTED_TEXT}; reinstall the server with one of them` };
  }
  return { changed: false, msg: `${name} is supported`, os };
};
