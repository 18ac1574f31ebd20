#!/usr/bin/env node
// Makes this machine able to run the real-sshd transport tests: OpenSSH server, sudo, and two test users.
// Idempotent and quick when everything is already there (no apt call).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

// Throwaway password of the `noppass` test user; test/helpers/sshd.ts carries the same value.
const NOPPASS_PASSWORD = 'nop-throwaway-sudo-pw';
const SUDOERS_PATH = '/etc/sudoers.d/nop-test';
const SUDOERS = 'noptest ALL=(ALL) NOPASSWD: ALL\nnoppass ALL=(ALL) ALL\n';
const INSTALL = 'apt-get update && apt-get install -y openssh-server sudo';

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
const missingTools = () => !existsSync('/usr/sbin/sshd') || !existsSync('/usr/bin/sudo');
const userExists = (name) => spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;

const run = (cmd, args, input) => {
  const res = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (res.status === 0) return;
  process.stderr.write(`${res.stdout ?? ''}${res.stderr ?? ''}`);
  throw new Error(`${cmd} ${args.join(' ')} failed with ${res.status ?? res.signal}`);
};

const failNotRoot = (what) => {
  console.error(`ensure-sshd: ${what}; run as root: ${INSTALL} (then re-run as root: node test/setup/ensure-sshd.mjs)`);
  process.exit(1);
};

const installTools = () => {
  if (!missingTools()) return;
  if (!isRoot || !hasApt) failNotRoot('sshd or sudo is missing');
  console.log('ensure-sshd: installing openssh-server and sudo (apt-get)');
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'openssh-server', 'sudo']);
};

// a login shell that talks: what a banner, a MOTD script or an `echo` in .bashrc does to every ssh command
const CHATTY_BASHRC = 'echo "Welcome to $(hostname) (managed by the platform team)"\necho "motd: remember the change freeze" >&2\n';

const ensureChattyUser = (name) => {
  if (!userExists(name)) run('useradd', ['--create-home', '--shell', '/bin/bash', '--password', '*', name]);
  const rc = `/home/${name}/.bashrc`;
  if (existsSync(rc) && readFileSync(rc, 'utf8') === CHATTY_BASHRC) return;
  writeFileSync(rc, CHATTY_BASHRC);
  run('chown', [`${name}:${name}`, rc]);
};

const ensureUser = (name) => {
  if (userExists(name)) return;
  // `*` instead of useradd's locked `!`: sshd without PAM refuses key logins to locked accounts.
  run('useradd', ['--create-home', '--shell', '/bin/sh', '--password', '*', name]);
};

const ensureSudoers = () => {
  const current = existsSync(SUDOERS_PATH) ? readFileSync(SUDOERS_PATH, 'utf8') : '';
  if (current === SUDOERS) return;
  mkdirSync('/etc/sudoers.d', { recursive: true, mode: 0o755 });
  writeFileSync(SUDOERS_PATH, SUDOERS, { mode: 0o440 });
  execFileSync('visudo', ['-cq', '-f', SUDOERS_PATH]);
};

const main = () => {
  installTools();
  if (!isRoot) {
    if (!userExists('noptest') || !userExists('noppass') || !userExists('nopbanner')) failNotRoot('test users noptest/noppass/nopbanner are missing');
    return;
  }
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  ensureUser('noptest');
  ensureUser('noppass');
  ensureChattyUser('nopbanner');
  run('chpasswd', [], `noppass:${NOPPASS_PASSWORD}\n`);
  ensureSudoers();
};

main();
