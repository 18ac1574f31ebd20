import { describe, expect, it } from 'vitest';
import { rawModule } from '../../lib/modules/builtin/raw.js';
import { runModule } from './helpers.js';

describe('raw', () => {
  it('hands the line to the shell as it is and keeps its output whole; always changed', async () => {
    expect(await runModule(rawModule, { cmd: 'echo out; echo err >&2' })).toMatchObject({
      changed: true,
      rc: 0,
      stdout: 'out\n',
      stdout_lines: ['out'],
      stderr: 'err\n',
      stderr_lines: ['err'],
    });
    expect(await runModule(rawModule, { cmd: 'echo "${BASH_VERSION:+bash}"', executable: '/bin/bash' })).toMatchObject({ stdout: 'bash\n' });
  });

  it("fails on a non-zero rc with Ansible's message, and is skipped in check mode (nothing runs)", async () => {
    expect(await runModule(rawModule, { cmd: 'exit 3' })).toMatchObject({ changed: true, failed: true, rc: 3, msg: 'non-zero return code' });
    expect(await runModule(rawModule, { cmd: 'exit 3' }, { check: true })).toMatchObject({ changed: false, skipped: true });
  });
});
