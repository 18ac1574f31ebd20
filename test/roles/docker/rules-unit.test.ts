import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES_SCRIPT, RULES_UNIT, rulesUnit } from '../../../roles/docker/firewall.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';

const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

let dir: string;
let host: SimHost;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-unit-'));
  host = await createSimHost({ profile: 'no-gpu', dir: join(dir, 'host') });
});
afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the DOCKER-USER rules unit', () => {
  it('runs the rules script', () => {
    expect(rulesUnit).toContain(`\nExecStart=${RULES_SCRIPT}\n`);
  });

  // systemd itself reads the unit, on a simulated host: the executable it finds is the script nop writes
  it.skipIf(!systemdAnalyze)('systemd-analyze verify finds the rules script, and names its exact path when it is missing', async () => {
    await writeFile(host.path(RULES_UNIT), rulesUnit);
    await writeFile(host.path(RULES_SCRIPT), '#!/bin/sh\n', { mode: 0o755 });
    const verify = () => host.sh(`systemd-analyze verify ${RULES_UNIT}`);
    const ok = await verify();
    expect(`${ok.stdout}${ok.stderr}`).not.toMatch(/not executable|special characters|bad unit file setting|Unbalanced quoting/);
    await rm(host.path(RULES_SCRIPT));
    expect((await verify()).stderr).toContain(`Command ${RULES_SCRIPT} is not executable`);
  });
});
