// Where this host's simulated containers listen, kept in <state-dir>/gonka-host.json: a port published on
// every interface listens on publicAddr, one on the host's private address on privateAddr, and every port is
// shifted by portOffset so that simulated nodes on one machine stay clear of each other and of a real node.
import path from 'node:path';
import { readJson, writeJson } from './json-file.mjs';

export const DEFAULT_HOST_SETTINGS = Object.freeze({ portOffset: 0, publicAddr: '127.0.0.1', privateAddr: '127.0.0.1' });

const settingsFile = (stateDir) => path.join(stateDir, 'gonka-host.json');

export const readHostSettings = (stateDir) => ({ ...DEFAULT_HOST_SETTINGS, ...(stateDir ? readJson(settingsFile(stateDir), {}) : {}) });

export function writeHostSettings(stateDir, patch) {
  const next = { ...readHostSettings(stateDir), ...patch };
  writeJson(settingsFile(stateDir), next);
  return next;
}
