import { setTimeout as sleep } from 'node:timers/promises';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { fileStat } from '../../lib/facts/builtin/file-stat.js';
import { request } from '../../lib/facts/fact.js';
import { driverNeedsReboot, gpuFacts, gpuRequest } from '../../lib/gpu/gpu-state.js';
import type { CodeTask } from '../../lib/roles/role.js';
import type { NvidiaVars } from './vars.js';

const POLL_MS = 3000;

// /run is a tmpfs: a marker written there before the reboot is gone once the machine has booted again
const MARKER = '/var/run/nop-reboot-pending';

const REBOOT_REQUIRED = '/var/run/reboot-required';

const rebootRequired = async (ctx: ModuleContext): Promise<boolean> => (await ctx.facts.read(fileStat, REBOOT_REQUIRED)).exists;

const booted = async (ctx: ModuleContext): Promise<boolean> => {
  try {
    return (await ctx.exec(`test ! -e ${shellJoin([MARKER])}`, { timeoutMs: 10_000 })).code === 0;
  } catch {
    return false;
  }
};

const rebootAndWait = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  await ctx.$`touch ${MARKER}`;
  // the connection may drop before systemctl answers: the marker tells whether the reboot happened
  await ctx.exec('systemctl reboot').catch(() => undefined);
  const deadline = Date.now() + v.reboot_timeout_s * 1000;
  for (;;) {
    if (await booted(ctx)) break;
    if (Date.now() > deadline)
      return { changed: true, failed: true, msg: `the host did not come back within ${v.reboot_timeout_s} s of the reboot: check its console` };
    ctx.progress('waiting for the host to come back from the reboot');
    await sleep(POLL_MS);
  }
  ctx.facts.invalidate();
  return { changed: true, msg: 'rebooted to load the NVIDIA kernel module' };
};

const rebootIfNeeded = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  const facts = await gpuFacts(ctx, v);
  const flagged = await rebootRequired(ctx);
  if (!flagged && !driverNeedsReboot(facts)) return { changed: false, msg: 'no reboot needed' };
  const why = driverNeedsReboot(facts)
    ? `the installed driver ${facts.driver.packages[0]?.version ?? facts.driver.user_space ?? ''} is not the loaded kernel module (${facts.driver.kernel ?? 'none loaded'})`
    : 'packages asked for a restart (/var/run/reboot-required)';
  if (ctx.check) return { changed: true, msg: `would reboot: ${why}` };
  if (!v.allow_reboot) {
    return {
      changed: false,
      failed: true,
      msg: `reboot needed: ${why}. Reboot the host (sudo reboot) and run nop again, or set allow_reboot: true to let nop reboot it and wait`,
      operator_actions: [`reboot ${ctx.hostname} (sudo reboot) to load the NVIDIA driver, then run nop again (or set allow_reboot: true)`],
    };
  }
  return rebootAndWait(ctx, v);
};

/** The installed driver's module is loaded only after a reboot: do it when allowed, else stop and say so. */
export const rebootTask: CodeTask<NvidiaVars> = {
  name: 'Reboot to load the driver',
  facts: (v) => [gpuRequest(v), request(fileStat, REBOOT_REQUIRED)],
  // a reboot may change anything: every fact of the host is read again after it (invalidates omitted)
  run: rebootIfNeeded,
};
