/**
 * The host's shim server (shims/lib/server.mjs): one node process per host answers the shim commands that are
 * called most (a converging setup makes about a hundred systemctl and iptables calls), where each call used to
 * start node (about 70 ms of CPU). In the host's /usr/local/bin such a command is a small bash client that hands
 * the server its arguments, working directory and umask and prints the answer; it runs the shim as its own
 * process, as before, where the server cannot answer as the caller: a caller that is not root (the server is
 * root: file permissions would differ), or no server.
 *
 * Served: commands that read no stdin, no environment and start no program; of docker, the calls that only read
 * its state (docker.mjs' `serves`). curl and hf are not.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { shellQuote } from '../../lib/transport/shell-quote.js';
import { SHIMS_DIR } from './paths.js';

export const SERVED_SHIMS: ReadonlySet<string> = new Set([
  'systemctl',
  'iptables',
  'uname',
  'df',
  'nvidia-smi',
  'apt-mark',
  'dpkg-query',
  'dpkg',
  'hostname',
  'modinfo',
  'mokutil',
  'lsb_release',
  'lsblk',
  'ss',
  'nvidia-ctk',
  'apt-get',
  'reboot',
  'docker',
]);

/** where the server leaves its port, key and pid (root only), read by the clients */
export const PORT_FILE = '/var/lib/nop-sim/shim-server';

/** The bash client of a served shim (bash is on every Debian and Ubuntu; its /dev/tcp reaches the server). */
export const shimClient = (name: string): string => {
  const shim = shellQuote(join(SHIMS_DIR, `${name}.mjs`));
  return `#!/bin/bash
# ${name}: answered by the host's shim server (${join(SHIMS_DIR, 'lib/server.mjs')}), else run as its own process
if [ "$EUID" = 0 ] && { read -r port key _ <${PORT_FILE}; } 2>/dev/null && { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
  printf '%s\\0' "$key" ${name} "$PWD" "$(umask)" "$#" "$@" >&3
  IFS= read -r -d '' status <&3
  if [ "$status" = run ]; then
    IFS= read -r -d '' code <&3
    IFS= read -r -d '' n <&3
    for ((i = 0; i < n; i++)); do
      IFS= read -r -d '' fd <&3
      IFS= read -r -d '' text <&3
      printf '%s' "$text" >&"$fd"
    done
    exec 3<&-
    exit "$code"
  fi
  exec 3<&-
fi
exec ${shim} "$@"
`;
};

/** Start the host's shim server inside it (`launcher` enters the host); it stops with the host's processes. */
export const startShimServer = (launcher: string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const [cmd, ...args] = launcher;
    const child = spawn(cmd, [...args, process.execPath, join(SHIMS_DIR, 'lib/server.mjs'), ...SERVED_SHIMS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulated host's shim server did not start (${code}): ${err.trim()}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('ready\n')) return;
      child.removeAllListeners('exit');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve();
    });
  });
