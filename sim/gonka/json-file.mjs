// Atomic JSON files: several simulator processes read what another one is writing.
import fs from 'node:fs';
import path from 'node:path';

export function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT' || err instanceof SyntaxError) return fallback;
    throw err;
  }
}

/**
 * For a file only writeJson writes (whole, by rename): one that is there but does not parse was written some other
 * way, in place, and is being read halfway through. Taking it for the fallback (empty) and writing that back wipes
 * the file: a test that edited gonka-network.json with a plain writeFile while the api recorded its epoch nodes lost
 * every registered participant this way. So it throws instead.
 */
export function readJsonWhole(file, fallback) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not whole JSON (${err.message}): something wrote it in place instead of by rename; it is left as it is`);
  }
}

export function writeJson(file, value, mode = 0o644) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
  fs.renameSync(tmp, file);
}

const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

// a lock left by a process killed while holding it (updates take milliseconds) is taken over after this long
const STALE_LOCK_MS = 10_000;

function takeLock(lock) {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > STALE_LOCK_MS) fs.rmdirSync(lock);
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    pause(2);
  }
}

// Read, change and write under a lock (mkdir is atomic): without it two processes updating one file at once (the
// api recording an epoch while a participant registers) lose one of the two updates. A file that does not parse is
// never written over (readJsonWhole).
export function updateJson(file, fallback, change) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  takeLock(lock);
  try {
    const next = change(readJsonWhole(file, fallback));
    writeJson(file, next);
    return next;
  } finally {
    fs.rmdirSync(lock);
  }
}
