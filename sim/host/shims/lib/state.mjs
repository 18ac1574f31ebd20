// Shared state of one simulated host: /var/lib/nop-sim/state.json (the shims run inside the host, where / is its
// own root), guarded by a lock file so that concurrent shim processes never lose an update, and replaced
// atomically so a reader never sees half a file.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const STATE_DIR = '/var/lib/nop-sim';
export const STATE_PATH = join(STATE_DIR, 'state.json');
/** the Gonka simulator's state dir (its projects, chain, scenario and clock) */
export const DOCKER_STATE_DIR = join(STATE_DIR, 'docker');

const STALE_LOCK_MS = 30_000;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const acquire = (lock) => {
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // a shim killed while holding the lock must not wedge the host forever
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {
        /* the holder released it meanwhile */
      }
      sleep(Math.min(50, 2 + i));
    }
  }
};

export const readState = () => JSON.parse(readFileSync(STATE_PATH, 'utf8'));

const writeStateFile = (state) => {
  const path = STATE_PATH;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
};

/** Run `fn(state)` under the lock; whatever it leaves in `state` is written back. Returns fn's result. */
export const withState = (fn) => {
  const lock = `${STATE_PATH}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  acquire(lock);
  try {
    const state = readState();
    const result = fn(state);
    writeStateFile(state);
    return result;
  } finally {
    rmSync(lock, { force: true });
  }
};
