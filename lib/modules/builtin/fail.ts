import { z } from 'zod';
import { defineModule } from '../module.js';

const failArgs = z.strictObject({ msg: z.string().default('Failed as requested from task') });

export const failModule = defineModule({
  name: 'fail',
  args: failArgs,
  plan: async (args) => ({ changes: [], failed: args.msg }),
});
