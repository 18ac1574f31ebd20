import { describe, expect, it } from 'vitest';
import { pauseModule } from '../../lib/modules/builtin/pause.js';
import { runModule } from './helpers.js';

describe('pause', () => {
  it('waits the given time and reports as Ansible does', async () => {
    const res = await runModule(pauseModule, { seconds: 0, prompt: 'let the cluster settle' });
    expect(res).toMatchObject({ changed: false, user_input: '', echo: true, rc: 0, stdout: expect.stringMatching(/^Paused for [\d.]+ seconds$/) });
    expect(await runModule(pauseModule, { minutes: '0' })).toMatchObject({ stdout: expect.stringMatching(/ minutes$/) });
  });

  it('refuses to wait for a keypress nop never gets, naming the fix', async () => {
    expect(await runModule(pauseModule, { prompt: 'Press Enter' })).toMatchObject({ failed: true, msg: expect.stringContaining('give seconds or minutes') });
    expect(pauseModule.args.safeParse({ seconds: 1, minutes: 1 }).success).toBe(false);
  });
});
