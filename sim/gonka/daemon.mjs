// One detached process per compose project: serves every published port of its services.
// SIGHUP re-reads project.json (written by compose-hook `up`/`down`/`stop`/`start`), SIGTERM stops it.
// A service marked `stopped` in project.json stops listening and stays listed as exited until started again.
// Time is the simulated clock's: every service catches up with the clock before a request is answered, and a
// request from outside is an observation: once answered, it moves the clock on (time passes between two looks).
import fs from 'node:fs';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { clockNow, observe } from './clock.mjs';
import { INTERNAL_HEADER } from './http-util.mjs';
import { readJson, writeJson } from './json-file.mjs';
import { projectFile, runtimeFile, pidFile, serviceLogFile, scenarioFile } from './sim-paths.mjs';
import { readScenario } from './scenario.mjs';
import { startTmkms } from './services/tmkms.mjs';
import { startNode } from './services/node.mjs';
import { startApi } from './services/api.mjs';
import { startProxy } from './services/proxy.mjs';
import { startMlnode, startInferenceProxy } from './services/mlnode.mjs';
import { startVersiond } from './services/versiond.mjs';
import { startEdgeApi } from './services/edge-api.mjs';
import { startBridge } from './services/bridge.mjs';
import { startProxySsl } from './services/proxy-ssl.mjs';
import { startExplorer } from './services/explorer.mjs';

// a container the simulator knows nothing about (an optional overlay's service): it runs and answers nothing
const idle = () => ({ handlers: {}, state: () => 'running', close() {} });
// in start order: what a service calls is started before it
const STARTERS = {
  tmkms: startTmkms,
  node: startNode,
  api: startApi,
  'edge-api': startEdgeApi,
  versiond: startVersiond,
  bridge: startBridge,
  mlnode: startMlnode,
  inference: startInferenceProxy,
  explorer: startExplorer,
  'proxy-ssl': startProxySsl,
  proxy: startProxy,
  other: idle,
};
const START_ORDER = Object.keys(STARTERS);

const [dir, stateDir] = process.argv.slice(2);
const running = new Map();
const exited = new Map();
const failures = {};
let scenario = readScenario(stateDir);
let scenarioStamp = 0;
let applying = Promise.resolve();

// Checked on every use so a request right after a test rewrites the scenario sees the change.
function currentScenario() {
  refreshScenario();
  return scenario;
}

function refreshScenario() {
  const stamp = fs.statSync(scenarioFile(stateDir), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (stamp === scenarioStamp) return;
  scenarioStamp = stamp;
  scenario = readScenario(stateDir);
}

// CometBFT's console writer prints a "3:04PM"-style kitchen clock before the level.
const kitchen = (d) => d.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit', hour12: true }).replace(' ', '');

function logger(service) {
  const file = serviceLogFile(dir, service.name);
  fs.mkdirSync(`${dir}/logs`, { recursive: true });
  const stamped = service.kind === 'node';
  return (line) => fs.appendFileSync(file, `${stamped ? `${kitchen(new Date())} ` : ''}${line}\n`);
}

const now = () => clockNow(stateDir);

// a service's background work (the api driving its ML nodes) runs every tickEveryMs of simulated time: in
// observed mode as many times as the network was looked at, however fast or slow the machine is
const lastTicks = {};

// every service's state up to the clock (the node's height, an ML node's load), synchronously; background
// work that is due starts
function catchUp() {
  refreshScenario();
  const t = now();
  for (const [name, e] of running) {
    try {
      e.instance.advance?.(t);
    } catch (err) {
      console.error(`${name}: ${err.stack}`);
    }
    if (!e.instance.tick || (lastTicks[name] !== undefined && t - lastTicks[name] < (e.instance.tickEveryMs ?? 250))) continue;
    lastTicks[name] = t;
    Promise.resolve(e.instance.tick()).catch((err) => console.error(`${name}: ${err.stack}`));
  }
}

// geth's discovery socket and the like: bound, and silent
function listenUdp(port) {
  const socket = dgram.createSocket(port.listenAddress.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port.listenPort, port.listenAddress, () => resolve({ close: (done) => socket.close(done) }));
  });
}

function listen(port, handler) {
  if (port.protocol === 'udp') return listenUdp(port);
  const server =
    typeof handler === 'function'
      ? http.createServer((req, res) => {
          catchUp();
          if (!req.headers[INTERNAL_HEADER]) res.once('close', () => observe(stateDir));
          Promise.resolve(handler(req, res)).catch((err) => {
            if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: err.message }));
          });
        })
      : net.createServer((socket) => socket.end());
  // a stop ends every connection: close() alone waits for each to end, and a client that keeps one open (a peer
  // that never answers the FIN of a bare TCP port) held the stop, and every apply and tick after it, for good
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port.listenPort, port.listenAddress, () =>
      resolve({
        close: (done) => {
          server.close(() => done());
          for (const socket of sockets) socket.destroy();
        },
      }),
    );
  });
}

async function startService(config, project) {
  const log = logger(config);
  const ctx = { service: config, project, stateDir, running, log, scenario: currentScenario, now };
  const instance = STARTERS[config.kind](ctx);
  const entry = { config, instance, servers: [], startedAt: new Date().toISOString() };
  running.set(config.name, entry);
  for (const port of config.ports) {
    try {
      entry.servers.push(await listen(port, instance.handlers[port.containerPort]));
    } catch (err) {
      failures[config.name] =
        `Bind for ${port.listenAddress}:${port.listenPort} failed: ${err.code === 'EADDRINUSE' ? 'port is already allocated' : err.message}`;
    }
  }
}

async function stopService(name) {
  const entry = running.get(name);
  running.delete(name);
  delete lastTicks[name];
  entry.instance.close();
  await Promise.all(entry.servers.map((s) => new Promise((resolve) => s.close(resolve))));
}

async function apply() {
  const project = readJson(projectFile(dir), { services: {}, generation: 0 });
  for (const [name, entry] of [...running]) {
    const want = project.services[name];
    if (!want || want.created !== entry.config.created || want.stopped) await stopService(name);
  }
  exited.clear();
  for (const svc of Object.values(project.services).filter((s) => s.stopped)) exited.set(svc.name, svc.stopped);
  const missing = Object.values(project.services)
    .filter((s) => !running.has(s.name) && !s.stopped)
    .sort((a, b) => START_ORDER.indexOf(a.kind) - START_ORDER.indexOf(b.kind));
  for (const config of missing) {
    delete failures[config.name];
    try {
      await startService(config, project);
    } catch (err) {
      failures[config.name] = err.message;
    }
  }
  writeRuntime(project.generation);
}

let appliedGeneration = 0;
let lastRuntime = '';
function writeRuntime(generation = appliedGeneration) {
  appliedGeneration = generation;
  const services = Object.fromEntries(
    [...running].map(([name, e]) => [
      name,
      {
        state: failures[name] ? 'exited' : e.instance.state(),
        exitCode: failures[name] ? 1 : 0,
        restartCount: e.instance.restartCount?.() ?? 0,
        startedAt: e.startedAt,
        error: failures[name],
      },
    ]),
  );
  for (const [name, stopped] of exited) {
    services[name] = { state: 'exited', exitCode: stopped.exitCode, restartCount: 0, finishedAt: stopped.finishedAt };
  }
  const runtime = { pid: process.pid, appliedGeneration, services };
  // ticked four times a second for the daemon's whole life: rewritten only when it says something new
  const text = JSON.stringify(runtime);
  if (text === lastRuntime) return;
  writeJson(runtimeFile(dir), runtime);
  lastRuntime = text;
}

// Applies, ticks and shutdown run one at a time so a reload never races a tick.
const schedule = (work) => {
  applying = applying.then(work).catch((err) => console.error(err));
};

// the clock may move without a request to this project (another host of the network was looked at, or wall time)
function tick() {
  catchUp();
  writeRuntime();
}

async function shutdown() {
  clearInterval(timer);
  await Promise.all([...running.keys()].map(stopService));
  fs.rmSync(pidFile(dir), { force: true });
  writeRuntime(appliedGeneration);
  process.exit(0);
}

fs.writeFileSync(pidFile(dir), String(process.pid));
process.on('SIGHUP', () => schedule(apply));
process.on('SIGTERM', () => schedule(shutdown));
process.on('SIGINT', () => schedule(shutdown));
// the host is gone (its directories removed while this process lived on, e.g. its test was killed outright): nobody
// can reach or stop this daemon any more. Checked here, not in a scheduled tick: work stuck on the schedule (a service
// that never finished stopping) would hold the check back, and each tick queued behind it grows the chain forever
const timer = setInterval(() => {
  if (!fs.existsSync(dir)) process.exit(0);
  schedule(tick);
}, 250);
schedule(apply);
