// Where the simulator keeps its files inside the state dir the docker shim hands it.
import path from 'node:path';

export const scenarioFile = (stateDir) => path.join(stateDir, 'gonka-scenario.json');
export const networkFile = (stateDir) => path.join(stateDir, 'gonka-network.json');
export const argvLogFile = (stateDir) => path.join(stateDir, 'inferenced-argv.log');
export const projectsDir = (stateDir) => path.join(stateDir, 'gonka-sim');
export const projectDir = (stateDir, project) => path.join(projectsDir(stateDir), project);
export const projectFile = (dir) => path.join(dir, 'project.json');
export const runtimeFile = (dir) => path.join(dir, 'runtime.json');
export const pidFile = (dir) => path.join(dir, 'daemon.pid');
export const daemonLogFile = (dir) => path.join(dir, 'daemon.log');
export const serviceLogFile = (dir, service) => path.join(dir, 'logs', `${service}.log`);
