import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineModule } from '../module.js';

const seconds = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number),
]);

const pauseArgs = z
  .strictObject({
    seconds: seconds.optional(),
    minutes: seconds.optional(),
    prompt: z.string().optional(),
    echo: z.union([z.boolean(), z.string()]).optional(),
  })
  .refine((a) => a.seconds === undefined || a.minutes === undefined, 'parameters are mutually exclusive: minutes|seconds');

/**
 * Ansible's pause with a duration: waits, then reports what Ansible reports. Without one Ansible waits for the
 * operator to press Enter; nop runs unattended (cron, CI, a fleet in parallel), so that is an error naming the fix.
 */
export const pauseModule = defineModule({
  name: 'pause',
  args: pauseArgs,
  plan: async (a, ctx) => {
    const wait = a.minutes !== undefined ? a.minutes * 60 : a.seconds;
    if (wait === undefined) {
      return {
        changes: [],
        failed:
          'pause without seconds or minutes waits for a keypress, and nop runs without one (cron, CI, many hosts): give seconds or minutes, or split the playbook where an operator must act',
      };
    }
    const start = new Date();
    if (a.prompt) ctx.progress(a.prompt);
    await sleep(wait * 1000);
    const stop = new Date();
    const unit = a.minutes !== undefined ? 'minutes' : 'seconds';
    const took = (stop.getTime() - start.getTime()) / 1000;
    return {
      changes: [],
      result: {
        start: start.toISOString().replace('T', ' ').replace('Z', ''),
        stop: stop.toISOString().replace('T', ' ').replace('Z', ''),
        delta: Math.floor(took),
        rc: 0,
        stderr: '',
        stdout: `Paused for ${Math.round((unit === 'minutes' ? took / 60 : took) * 100) / 100} ${unit}`,
        user_input: '',
        echo: a.echo === undefined ? true : a.echo,
      },
    };
  },
});
