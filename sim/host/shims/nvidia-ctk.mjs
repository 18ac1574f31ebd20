#!/usr/bin/env node
// nvidia-ctk runtime configure --runtime=docker [--config=PATH] [--set-as-default]: edits daemon.json like the real one.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { command, err, exit, notInstalled, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const state = readState();
  if (state.packages['nvidia-container-toolkit']?.status !== 'ii') notInstalled('nvidia-ctk');
  const args = argv;
  if (args[0] === '--version' || args[0] === '-v') {
    out(`NVIDIA Container Toolkit CLI version ${state.packages['nvidia-container-toolkit'].version.replace(/-.*$/, '')}\ncommit: 9ce5a5d`);
    exit(0);
  }
  if (args[0] !== 'runtime' || args[1] !== 'configure') exit(1, `nvidia-ctk: only 'runtime configure' is simulated`);
  const opt = (name) =>
    args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
  const runtime = opt('runtime') ?? 'docker';
  if (runtime !== 'docker') exit(1, `nvidia-ctk: runtime ${runtime} is not simulated`);
  const path = opt('config') ?? '/etc/docker/daemon.json';
  const config = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8') || '{}') : {};
  config.runtimes = { ...config.runtimes, nvidia: { args: [], path: 'nvidia-container-runtime' } };
  if (args.includes('--set-as-default')) config['default-runtime'] = 'nvidia';
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(config, null, 4)}\n`);
  err(`INFO[0000] Loading config from ${path}`);
  err(`INFO[0000] Wrote updated config to ${path}`);
  err('INFO[0000] It is recommended that docker daemon be restarted.');
});
