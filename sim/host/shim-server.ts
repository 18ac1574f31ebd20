/**
 * The host's shim server (shims/lib/server.mjs): one node process per host answers the shim commands that are
 * called most (a converging setup makes about a hundred systemctl and iptables calls), where each call used to
 * start node (about 70 ms of CPU). In the host's /usr/local/bin such a command is a small bash client that hands
 * the server its arguments, working directory, umask and PATH and prints the answer; it runs the shim as its own
 * process, as before, where the server cannot answer as the caller: a caller that is not root (the server is
 * root: file permissions would differ), or no server.
 *
 * Served: commands that start no program and read no environment but PATH; of docker, the calls that only read
 * its state and `exec`/`compose exec|run` in a compose project's container (docker.mjs' `serves`); curl. A shim
 * that hands the call on to a program (curl to the real curl, an `exec` to the command in the container) has the
 * client exec it: stdin, streaming output and the exit code are the program's own. hf is not served.
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
  'curl',
]);

/**
 * Shims that read their stdin in some calls, with the bash test (on "$@") for those calls: their client sends the
 * server its stdin then (curl's `-K -`: the uri module's config, which holds URLs and bodies).
 */
const STDIN_READERS: Readonly<Record<string, string>> = {
  curl: `for ((_shim_i = 1; _shim_i < $#; _shim_i++)); do _shim_j=$((_shim_i + 1)); [[ \${!_shim_i} = -K || \${!_shim_i} = --config ]] && [ "\${!_shim_j}" = - ] && _shim_feed=1; done`,
};

/** Shims whose answer depends on the caller's environment (compose interpolates it): their client sends all of it. */
const ENV_READERS: ReadonlySet<string> = new Set(['docker']);

/** where the server leaves its port, key and pid (root only), read by the clients */
export const PORT_FILE = '/var/lib/nop-sim/shim-server';

/** The mark in a served shim's client (curl.mjs looks past the clients for the real command). */
export const CLIENT_MARK = "answered by the host's shim server";

/**
 * The bash client of a served shim (bash is on every Debian and Ubuntu; its /dev/tcp reaches the server). Its
 * variables are named _shim_*: a program it execs gets the caller's environment, and none of them is likely there.
 */
export const shimClient = (name: string): string => {
  const shim = shellQuote(join(SHIMS_DIR, `${name}.mjs`));
  const stdin = STDIN_READERS[name];
  const env = ENV_READERS.has(name) ? `1 >&3\n  /usr/bin/env -0 >&3\n  printf '\\0' >&3` : `0 "PATH=$PATH" '' >&3`;
  return `#!/bin/bash
# ${name}: ${CLIENT_MARK} (${join(SHIMS_DIR, 'lib/server.mjs')}), else run as its own process
if [ "$EUID" = 0 ] && { read -r _shim_port _shim_key _ <${PORT_FILE}; } 2>/dev/null && { exec 3<>"/dev/tcp/127.0.0.1/$_shim_port"; } 2>/dev/null; then
  _shim_feed=0
${stdin ? `  ${stdin}\n  if [ "$_shim_feed" = 1 ]; then IFS= read -r -d '' _shim_stdin; set -- "$@" 1 "$_shim_stdin"; else set -- "$@" 0; fi` : '  set -- "$@" 0'}
  printf '%s\\0' "$_shim_key" ${name} "$PWD" "$(umask)" "$(($# - 1 - _shim_feed))" "$@" ${env}
  IFS= read -r -d '' _shim_status <&3
  if [ "$_shim_status" = run ] || [ "$_shim_status" = exec ]; then
    [ "$_shim_status" = exec ] || IFS= read -r -d '' _shim_code <&3
    IFS= read -r -d '' _shim_n <&3
    for ((_shim_i = 0; _shim_i < _shim_n; _shim_i++)); do
      IFS= read -r -d '' _shim_fd <&3
      IFS= read -r -d '' _shim_text <&3
      printf '%s' "$_shim_text" >&"$_shim_fd"
    done
    if [ "$_shim_status" = exec ]; then
      IFS= read -r -d '' _shim_program <&3
      IFS= read -r -d '' _shim_n <&3
      for ((_shim_i = 0; _shim_i < _shim_n; _shim_i++)); do
        IFS= read -r -d '' _shim_var <&3
        export "$_shim_var"
      done
      IFS= read -r -d '' _shim_n <&3
      _shim_args=()
      for ((_shim_i = 0; _shim_i < _shim_n; _shim_i++)); do
        IFS= read -r -d '' _shim_arg <&3
        _shim_args+=("$_shim_arg")
      done
      IFS= read -r -d '' _shim_given <&3
      if [ "$_shim_given" = 1 ]; then
        IFS= read -r -d '' _shim_input <&3
        exec 3<&-
        exec "$_shim_program" "\${_shim_args[@]}" < <(printf '%s' "$_shim_input")
      fi
      exec 3<&-
      exec "$_shim_program" "\${_shim_args[@]}"
    fi
    exec 3<&-
    exit "$_shim_code"
  fi
  exec 3<&-
  if [ "$_shim_feed" = 1 ]; then exec ${shim} "\${@:1:$# - 2}" < <(printf '%s' "$_shim_stdin"); fi
  set -- "\${@:1:$# - 1}"
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
