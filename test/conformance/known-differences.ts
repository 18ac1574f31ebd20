import type { KnownDifference } from './harness/compare.js';

/**
 * Where nop deliberately does not do what Ansible does, case by case; each entry must still be observed (a
 * difference that went away fails the suite until it is removed here). The README's compatibility table lists
 * them under "differs" (npm run conformance:table).
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    case: 'files',
    runs: ['first', 'second'],
    task: 'find configs and pages',
    key: 'files[].path',
    module: 'find',
    why: "files are listed sorted by path within each of `paths`; Ansible lists them in the file system's directory order",
  },
  {
    case: 'files',
    runs: ['check'],
    task: 'fetch the config',
    key: 'status',
    module: 'fetch',
    why: 'check mode plans the transfer (changed when the local copy differs); Ansible skips fetch in check mode',
  },
  { case: 'files', runs: ['check'], task: 'fetch the config', key: 'msg', module: 'fetch', why: "Ansible's skip message" },
  { case: 'files', runs: ['check'], key: 'recap', module: 'fetch', why: 'the fetch is changed, not skipped' },
  {
    case: 'apt-packages',
    runs: ['second'],
    task: 'a pinned version',
    key: 'msg',
    module: 'apt',
    why: "a refused install is found when planning (apt-get's simulation) and reported with apt-get's message, not Ansible's command line",
  },
  {
    case: 'node-exporter',
    runs: ['second'],
    task: 'node_exporter : release tarball',
    key: 'msg',
    module: 'get_url',
    why: 'an existing dest without a checksum is kept without asking the server (no request at all); Ansible asks with If-Modified-Since and reports the 304',
  },
  {
    case: 'node-exporter',
    runs: ['second'],
    task: 'node_exporter : release tarball',
    key: 'status_code',
    module: 'get_url',
    why: 'no request was made (see msg)',
  },
  {
    case: 'node-exporter',
    runs: ['check'],
    task: 'node_exporter : release tarball',
    key: 'checksum_src',
    module: 'get_url',
    why: "a refused download reports no checksum_src (Ansible's is the SHA-1 of its empty temp file)",
  },
  {
    case: 'unattended-upgrades',
    runs: ['first', 'second'],
    key: 'file /etc/apt/keyrings/nop-updates.gpg',
    module: 'apt_key',
    why: "the keyring holds the key as exported (binary OpenPGP, as signed-by reads it); Ansible's apt-key writes gpg's own keyring format, so the bytes differ",
  },
  {
    case: 'unattended-upgrades',
    runs: ['check'],
    key: 'file /etc/apt/keyrings/nop-updates.gpg',
    module: 'apt_key',
    why: 'check mode writes nothing; Ansible (apt-key listing the keyring) leaves an empty keyring file behind',
  },
  {
    case: 'basics',
    runs: ['check'],
    task: 'it is ok',
    key: 'msg',
    module: 'assert',
    why: "a condition reading an attribute a result lacks fails in both; nop's message names the undefined variable and the expression, Ansible's quotes Jinja2's error",
  },
];
