// Whether `docker pause` froze a container of this simulated host (the docker shim keeps the flag in the host's
// state file). A paused container runs nothing: the api drives no ML node and takes no PoC batch while paused.
import fs from 'node:fs';

const HOST_STATE = '/var/lib/nop-sim/state.json';

export function containerPaused(name) {
  try {
    const state = JSON.parse(fs.readFileSync(HOST_STATE, 'utf8'));
    return Boolean(state.docker?.containers?.find((c) => c.name === name)?.paused);
  } catch {
    return false;
  }
}
