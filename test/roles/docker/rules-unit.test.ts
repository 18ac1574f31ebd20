import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerVarsSchema } from '../../../roles/docker/vars.js';
import { RULES_SCRIPT, rulesUnit } from '../../../roles/docker/firewall.js';

const systemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-unit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const VARS = { docker_apt_key_url: '', docker_internal_ports: [9200], docker_internal_sources: ['127.0.0.0/8'] };

describe('the DOCKER-USER rules unit', () => {
  it('is unchanged for a plain host root', () => {
    expect(rulesUnit('')).toContain('\nExecStart=/usr/local/sbin/nop-docker-user-rules\n');
  });

  // systemd itself reads the unit: the executable it finds is the script nop wrote, wherever host_root is
  it.skipIf(!systemdAnalyze)('runs the rules script from a host root with blanks, % and $ (systemd-analyze verify)', async () => {
    const root = join(dir, 'sim root %n $HOME');
    const script = join(root, RULES_SCRIPT);
    await mkdir(join(script, '..'), { recursive: true });
    await writeFile(script, '#!/bin/sh\n');
    await chmod(script, 0o755);
    const unit = join(dir, 'nop-docker-user.service');
    await writeFile(unit, rulesUnit(root));
    const verify = () => spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    const ok = verify();
    expect(`${ok.stdout}${ok.stderr}`).not.toMatch(/not executable|special characters|bad unit file setting|Unbalanced quoting/);
    // and without the script, systemd names the exact path it would run
    await rm(script);
    expect(verify().stderr).toContain(`Command ${script} is not executable`);
  });

  it.each(['/srv/a"b', "/srv/it's", '/srv/back\\slash', '/srv/new\nline', 'relative/root'])('refuses host_root %j, naming it', (root) => {
    const res = DockerVarsSchema.safeParse({ ...VARS, host_root: root });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0].path).toEqual(['host_root']);
  });

  it('accepts host roots systemd can run from', () => {
    for (const root of ['', '/tmp/sim root', '/tmp/a%b$c;d']) expect(DockerVarsSchema.safeParse({ ...VARS, host_root: root }).success).toBe(true);
  });
});
