// The simulated network's time, shared by every process of it (daemons, CLIs, the test) through
// <state-dir>/clock/: chain height, sync, model loading, epochs and PoC phases follow it, never the wall clock.
//   observed (the default, for tests): time stands still except that each request a simulated service has
//     answered from outside the simulator moves it on by `stepMs`, and a test may advance it; so the next poll
//     always sees progress, however slow the machine, and nothing happens while nobody looks.
//   wall (the demo): wall time, scaled.
// Hosts of one simulated network share the clock directory (bind-mounted into each host at the same place).
import fs from 'node:fs';
import path from 'node:path';

export const clockDir = (stateDir) => path.join(stateDir, 'clock');
const configFile = (stateDir) => path.join(clockDir(stateDir), 'clock.json');
// one byte per observation: appends are atomic, so concurrent observers never lose one
const observationsFile = (stateDir) => path.join(clockDir(stateDir), 'observations');

export const DEFAULT_CLOCK = Object.freeze({ mode: 'observed', stepMs: 1000, scale: 1 });

const observations = (stateDir) => fs.statSync(observationsFile(stateDir), { throwIfNoEntry: false })?.size ?? 0;

// written once, atomically (a hard link fails if another process made it first): every reader agrees on the base
function create(stateDir, config) {
  fs.mkdirSync(clockDir(stateDir), { recursive: true });
  const tmp = `${configFile(stateDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(config)}\n`);
  try {
    fs.linkSync(tmp, configFile(stateDir));
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readConfig(stateDir) {
  try {
    return JSON.parse(fs.readFileSync(configFile(stateDir), 'utf8'));
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    const wall = Date.now();
    create(stateDir, { ...DEFAULT_CLOCK, originMs: wall, baseMs: wall, baseObservations: observations(stateDir), wallAnchorMs: wall });
    return JSON.parse(fs.readFileSync(configFile(stateDir), 'utf8'));
  }
}

const nowOf = (c, stateDir) =>
  c.mode === 'wall' ? c.baseMs + (Date.now() - c.wallAnchorMs) * c.scale : c.baseMs + (observations(stateDir) - c.baseObservations) * c.stepMs;

/** The simulated time, in ms since the epoch. */
export const clockNow = (stateDir) => Math.floor(nowOf(readConfig(stateDir), stateDir));

/** When the clock started: the anchor of a scenario that names none. */
export const clockOrigin = (stateDir) => readConfig(stateDir).originMs;

/** A request from outside was answered: in observed mode, time moves on by one step. */
export function observe(stateDir) {
  if (readConfig(stateDir).mode !== 'observed') return;
  fs.appendFileSync(observationsFile(stateDir), '.');
}

// time so far becomes the new base, then `change` applies: the clock never jumps back
function rewrite(stateDir, change) {
  const current = readConfig(stateDir);
  const rebased = { ...current, baseMs: nowOf(current, stateDir), baseObservations: observations(stateDir), wallAnchorMs: Date.now() };
  const next = { ...rebased, ...change(rebased) };
  const tmp = `${configFile(stateDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(next)}\n`);
  fs.renameSync(tmp, configFile(stateDir));
}

/** Move time on by `seconds` (the test's "meanwhile"). */
export const advance = (stateDir, seconds) => rewrite(stateDir, (c) => ({ baseMs: c.baseMs + seconds * 1000 }));

/** Set the mode (`observed` with `stepSeconds`, or `wall` with `scale`); time continues from where it is. */
export const setClock = (stateDir, { mode, stepSeconds, scale }) =>
  rewrite(stateDir, (c) => ({
    mode: mode ?? c.mode,
    stepMs: stepSeconds === undefined ? c.stepMs : stepSeconds * 1000,
    scale: scale ?? c.scale,
  }));
