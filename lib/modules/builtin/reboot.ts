import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { UnreachableError } from '../../transport/transport.js';
import { intArg } from '../arg-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from '../module.js';

const rebootArgs = z.strictObject({
  msg: z.string().default('Reboot initiated by Ansible'),
  pre_reboot_delay: intArg.default(0),
  post_reboot_delay: intArg.default(0),
  reboot_timeout: intArg.default(600),
  connect_timeout: intArg.optional(),
  test_command: z.string().min(1).default('whoami'),
  /** what tells one boot from the next: it must print something else once the host is back */
  boot_time_command: z.string().min(1).default('cat /proc/sys/kernel/random/boot_id'),
  /** default: shutdown -r, with the delay and the message */
  reboot_command: z.string().min(1).optional(),
  search_paths: z.array(z.string()).optional(),
});

type RebootArgs = z.output<typeof rebootArgs>;

/** Run a command; undefined when the connection is gone (the reboot took it) or the command failed. */
const tryRun = async (ctx: ModuleContext, script: string, timeoutMs?: number): Promise<string | undefined> => {
  try {
    const res = await ctx.exec(script, { timeoutMs });
    return res.code === 0 ? res.stdout.trim() : undefined;
  } catch (e) {
    if (e instanceof UnreachableError) return undefined;
    throw e;
  }
};

const rebootCommand = (a: RebootArgs): string => {
  if (a.reboot_command) return a.reboot_command;
  // shutdown takes minutes; Ansible rounds the delay down the same way
  const minutes = Math.floor(a.pre_reboot_delay / 60);
  return `shutdown -r ${shellJoin([`+${minutes}`, a.msg])}`;
};

/** Until the host answers with another boot id (on a new connection once the reboot dropped the old one), then the test command. */
const waitForReboot = async (ctx: ModuleContext, a: RebootArgs, before: string, start: number): Promise<Partial<ModuleResult>> => {
  const deadline = start + a.reboot_timeout * 1000;
  const timeoutMs = (a.connect_timeout ?? 10) * 1000;
  let on = ctx;
  let stage: 'boot' | 'test' = 'boot';
  while (Date.now() < deadline) {
    if (stage === 'boot') {
      const now = await tryRun(on, a.boot_time_command, timeoutMs);
      if (now !== undefined && now !== before) stage = 'test';
    }
    if (stage === 'test' && (await tryRun(on, a.test_command, timeoutMs)) !== undefined) {
      await sleep(a.post_reboot_delay * 1000);
      return { changed: true, rebooted: true, elapsed: Math.round((Date.now() - start) / 1000) };
    }
    ctx.progress(stage === 'boot' ? 'waiting for the host to come back' : `waiting for '${a.test_command}' to succeed`);
    await sleep(1000);
    on = await on.reconnect().catch((e: unknown) => {
      if (e instanceof UnreachableError) return on;
      throw e;
    });
  }
  const elapsed = Math.round((Date.now() - start) / 1000);
  return {
    changed: false,
    failed: true,
    rebooted: true,
    elapsed,
    msg: `Timed out waiting for ${stage === 'boot' ? 'last boot time check' : 'post-reboot test command'} (timeout=${a.reboot_timeout})`,
  };
};

/**
 * Ansible's reboot: the boot id read, the reboot command run, then the host awaited on a new connection until its
 * boot id changed and the test command succeeds. In check mode it reports the reboot without doing it (as Ansible).
 */
export const rebootModule = defineModule({
  name: 'reboot',
  args: rebootArgs,
  plan: async (_a, ctx) => {
    if (ctx.transport.controller) return { changes: [], failed: 'Running reboot with local connection would reboot the control node.' };
    return { changes: [{ summary: `reboot ${ctx.hostname}` }], result: { rebooted: true, elapsed: 0 } };
  },
  apply: async (_changes, a, ctx) => {
    const start = Date.now();
    const before = await tryRun(ctx, a.boot_time_command);
    if (before === undefined) return { changed: false, failed: true, rebooted: false, msg: `cannot read the boot id: ${a.boot_time_command} failed` };
    ctx.progress(`rebooting (${a.msg})`);
    const res = await ctx.exec(rebootCommand(a)).catch((e: unknown) => {
      // the reboot may take the connection before the command returns: that is the reboot happening
      if (e instanceof UnreachableError) return { code: 0, stdout: '', stderr: '' };
      throw e;
    });
    if (res.code !== 0) return { changed: false, failed: true, rebooted: false, msg: `Reboot command failed. Error was: '${res.stderr.trim()}'`, rc: res.code };
    return waitForReboot(ctx, a, before, start);
  },
});
