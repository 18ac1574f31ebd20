import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeScript } from '../../lib/gonka/compose-command.js';

const run = promisify(execFile);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-compose-'));
  // a `docker` that prints what compose would see: its arguments and the env file's value
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'docker'), '#!/bin/sh\nprintf "%s|" "$@"; printf "KEY=%s\\n" "$KEY"\n');
  await chmod(join(dir, 'bin', 'docker'), 0o755);
  await mkdir(join(dir, 'deploy'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sh = async (script: string) => (await run('/bin/sh', ['-c', script], { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } })).stdout;

describe('composeScript', () => {
  it('sources the env file from the project directory, not from PATH', async () => {
    await writeFile(join(dir, 'deploy', 'config.env'), "export KEY='from the deploy dir'\n");
    const out = await sh(composeScript({ dir: join(dir, 'deploy'), files: ['docker-compose.yml'], env_file: 'config.env' }, ['ps']));
    expect(out).toBe('compose|-f|docker-compose.yml|ps|KEY=from the deploy dir\n');
  });

  it('runs compose without it when the env file is not there yet', async () => {
    const out = await sh(composeScript({ dir: join(dir, 'deploy'), files: ['a.yml', 'b.yml'], env_file: 'config.env' }, ['pull']));
    expect(out).toBe('compose|-f|a.yml|-f|b.yml|pull|KEY=\n');
  });
});
