// Shared state of one simulated host: <root>/var/lib/nop-sim/state.json, guarded by a lock file so that
// concurrent shim processes never lose an update, and replaced atomically so a reader never sees half a file.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const simRoot = () => {
  const root = process.env.NOP_SIM_ROOT;
  if (!root) {
    process.stderr.write('nop-sim: NOP_SIM_ROOT is not set\n');
    process.exit(70);
  }
  return root;
};

export const stateDir = (root) => join(root, 'var/lib/nop-sim');
export const statePath = (root) => join(stateDir(root), 'state.json');
export const dockerStateDir = (root) => join(stateDir(root), 'docker');

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

export const readState = (root = simRoot()) => JSON.parse(readFileSync(statePath(root), 'utf8'));

export const writeStateFile = (root, state) => {
  const path = statePath(root);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
};

/** Run `fn(state)` under the lock; whatever it leaves in `state` is written back. Returns fn's result. */
export const withState = (fn, root = simRoot()) => {
  const lock = `${statePath(root)}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  acquire(lock);
  try {
    const state = readState(root);
    const result = fn(state);
    writeStateFile(root, state);
    return result;
  } finally {
    rmSync(lock, { force: true });
  }
};
