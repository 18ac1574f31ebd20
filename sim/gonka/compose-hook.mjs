#!/usr/bin/env node
// Entry point of the simulated `docker compose`:
//   compose-hook.mjs up|down|stop|start|restart|ps|logs|exec|run --project-dir DIR --file FILE [--file FILE2]
//     [--env-file FILE] --state-dir DIR [-p NAME] [flags] [service...] [-- command...]
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadProject, hostPathOf } from './compose-project.mjs';
import { readJson, writeJson } from './json-file.mjs';
import { projectDir, projectFile, runtimeFile, pidFile, daemonLogFile, serviceLogFile } from './sim-paths.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const VALUE_FLAGS = new Set([
  '--project-dir',
  '--file',
  '-f',
  '--env-file',
  '--state-dir',
  '-p',
  '--project-name',
  '--tail',
  '--format',
  '-e',
  '--env',
  '--timeout',
  '-t',
  '--user',
  '-u',
  '--workdir',
  '-w',
  '--entrypoint',
  '--name',
  '--status',
  '--profile',
]);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const opts = { command, files: [], env: [], profiles: [], flags: new Set(), positional: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (opts.positional.length > 0 && ['exec', 'run'].includes(command)) {
      opts.positional.push(...rest.slice(i));
      break;
    }
    if (arg === '--') {
      opts.positional.push(...rest.slice(i + 1));
      break;
    }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? rest[++i];
      if (flag === '--file' || flag === '-f') opts.files.push(value);
      else if (flag === '-e' || flag === '--env') opts.env.push(value);
      else if (flag === '--profile') opts.profiles.push(value);
      else opts[flag.replace(/^-+/, '')] = value;
    } else if (arg.startsWith('-') && arg !== '-') {
      opts.flags.add(arg);
    } else {
      opts.positional.push(arg);
    }
  }
  return opts;
}

function context(opts) {
  if (!opts['state-dir']) throw new Error('--state-dir is required');
  const stateDir = path.resolve(opts['state-dir']);
  const projectRoot = path.resolve(opts['project-dir'] ?? process.cwd());
  const files = opts.files.length > 0 ? opts.files : ['docker-compose.yml'];
  const project = loadProject({ projectDir: projectRoot, files, envFile: opts['env-file'], projectName: opts['project-name'] ?? opts.p, stateDir });
  const dir = projectDir(stateDir, project.name);
  const stored = readJson(projectFile(dir), { name: project.name, services: {}, generation: 0 });
  return { stateDir, projectRoot, project, dir, stored };
}

const daemonPid = (dir) => {
  const pid = Number(readJson(pidFile(dir), 0));
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check, what) {
  // generous: a loaded machine starts the daemon slowly, and this is a wait for a condition, not a timing
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// --profile flags and COMPOSE_PROFILES: the profiles whose services `up` starts besides those without a profile
const activeProfiles = (opts) => new Set([...opts.profiles, ...(process.env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean)]);

const enabled = (svc, profiles) => svc.profiles.length === 0 || svc.profiles.some((p) => profiles.has(p));

// A service named on the command line starts whatever its profile; a dependency in a profile that is not active is
// left out when `required: false`, an error otherwise.
function withDependencies(project, names, noDeps, profiles) {
  const out = new Set();
  const visit = (name, requiredBy) => {
    if (out.has(name)) return;
    const svc = project.services[name];
    if (!svc) throw new Error(`no such service: ${name}`);
    if (requiredBy && !enabled(svc, profiles))
      throw new Error(`service "${name}" is required by "${requiredBy}" but is disabled. Can be enabled by profiles [${svc.profiles.join(' ')}]`);
    out.add(name);
    if (noDeps) return;
    for (const dep of svc.dependsOn) {
      const target = project.services[dep.name];
      if (!dep.required && (!target || !enabled(target, profiles))) continue;
      visit(dep.name, name);
    }
  };
  names.forEach((n) => visit(n));
  return out;
}

async function publish(ctx, services) {
  const generation = ctx.stored.generation + 1;
  writeJson(projectFile(ctx.dir), { name: ctx.project.name, projectDir: ctx.projectRoot, generation, services });
  const pid = daemonPid(ctx.dir);
  if (Object.keys(services).length === 0) {
    if (pid) process.kill(pid, 'SIGTERM');
    await waitFor(() => !daemonPid(ctx.dir), 'the project to stop');
    return;
  }
  if (pid) {
    process.kill(pid, 'SIGHUP');
  } else {
    fs.mkdirSync(ctx.dir, { recursive: true });
    const out = fs.openSync(daemonLogFile(ctx.dir), 'a');
    spawn(process.execPath, [path.join(HERE, 'daemon.mjs'), ctx.dir, ctx.stateDir], { detached: true, stdio: ['ignore', out, out], env: process.env }).unref();
  }
  await waitFor(() => readJson(runtimeFile(ctx.dir), {}).appliedGeneration >= generation, 'the project to start');
}

async function up(opts) {
  const ctx = context(opts);
  const { project, stored } = ctx;
  const profiles = activeProfiles(opts);
  const requested =
    opts.positional.length > 0
      ? opts.positional
      : Object.values(project.services)
          .filter((s) => enabled(s, profiles))
          .map((s) => s.name);
  const selected = withDependencies(project, requested, opts.flags.has('--no-deps'), profiles);
  const now = new Date().toISOString();
  const services = { ...stored.services };
  for (const name of selected) {
    const svc = project.services[name];
    const prev = stored.services[name];
    const keep = prev && prev.configHash === svc.configHash && !opts.flags.has('--force-recreate');
    services[name] = { ...svc, created: keep ? prev.created : now };
    process.stderr.write(` Container ${svc.containerName}  ${keep ? 'Running' : prev ? 'Recreated' : 'Started'}\n`);
  }
  await publish(ctx, services);
  const runtime = readJson(runtimeFile(ctx.dir), { services: {} });
  const failed = [...selected].filter((n) => runtime.services[n]?.error);
  for (const name of failed) process.stderr.write(`Error response from daemon: ${runtime.services[name].error}\n`);
  return failed.length > 0 ? 1 : 0;
}

async function down(opts) {
  const ctx = context(opts);
  const remove = opts.positional.length > 0 ? opts.positional : Object.keys(ctx.project.services);
  const services = Object.fromEntries(Object.entries(ctx.stored.services).filter(([name]) => !remove.includes(name)));
  for (const name of remove.filter((n) => ctx.stored.services[n])) process.stderr.write(` Container ${ctx.stored.services[name].containerName}  Removed\n`);
  await publish(ctx, services);
  return 0;
}

// What `docker stop` leaves behind: the simulated processes exit cleanly on SIGTERM.
const STOP_EXIT_CODE = 0;

const known = (ctx, names) => {
  const wanted = names.length > 0 ? names : Object.keys(ctx.stored.services);
  const unknown = wanted.find((n) => !ctx.project.services[n]);
  if (unknown) throw new Error(`no such service: ${unknown}`);
  return wanted.filter((n) => ctx.stored.services[n]);
};

// Compose stops dependents before what they depend on, and starts in the opposite order.
const startOrder = (ctx, names) => {
  const ordered = [];
  const visit = (name) => {
    if (ordered.includes(name)) return;
    ctx.project.services[name].dependsOn.filter((d) => names.includes(d.name)).forEach((d) => visit(d.name));
    ordered.push(name);
  };
  names.forEach(visit);
  return ordered;
};

const containerName = (ctx, name) => ctx.stored.services[name].containerName;

async function stopServices(ctx, names, lines) {
  const finishedAt = new Date().toISOString();
  const services = { ...ctx.stored.services };
  for (const name of startOrder(ctx, names).reverse()) {
    lines.push(` Container ${containerName(ctx, name)}  Stopping`, ` Container ${containerName(ctx, name)}  Stopped`);
    services[name] = { ...services[name], stopped: services[name].stopped ?? { finishedAt, exitCode: STOP_EXIT_CODE } };
  }
  await publish(ctx, services);
  ctx.stored = { ...ctx.stored, services, generation: ctx.stored.generation + 1 };
}

async function startServices(ctx, names, lines, verb) {
  const services = { ...ctx.stored.services };
  const starting = startOrder(ctx, names).filter((name) => verb === 'Restarting' || services[name].stopped);
  for (const name of starting) {
    lines.push(` Container ${containerName(ctx, name)}  ${verb}`, ` Container ${containerName(ctx, name)}  Started`);
    services[name] = { ...services[name] };
    delete services[name].stopped;
  }
  if (starting.length === 0) return;
  await publish(ctx, services);
}

async function stop(opts) {
  const ctx = context(opts);
  const lines = [];
  await stopServices(ctx, known(ctx, opts.positional), lines);
  lines.forEach((l) => process.stderr.write(`${l}\n`));
  return 0;
}

async function start(opts) {
  const ctx = context(opts);
  const lines = [];
  await startServices(ctx, known(ctx, opts.positional), lines, 'Starting');
  lines.forEach((l) => process.stderr.write(`${l}\n`));
  return 0;
}

// `docker compose restart` stops and starts the containers as they are, without recreating them.
async function restart(opts) {
  const ctx = context(opts);
  const names = known(ctx, opts.positional);
  await stopServices(ctx, names, []);
  const lines = [];
  await startServices(ctx, names, lines, 'Restarting');
  lines.forEach((l) => process.stderr.write(`${l}\n`));
  return 0;
}

function portsText(svc) {
  return svc.ports.map((p) => `${p.public ? '0.0.0.0' : p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}

const secondsSince = (iso) => Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));

function statusText(svc, rt) {
  if (rt.state === 'running') return `Up ${secondsSince(rt.startedAt)} seconds${svc.healthcheck ? ' (healthy)' : ''}`;
  if (rt.state === 'restarting') return 'Restarting (2) 1 second ago';
  return rt.finishedAt ? `Exited (${rt.exitCode}) ${secondsSince(rt.finishedAt)} seconds ago` : `Exited (${rt.exitCode ?? 1})`;
}

// Without -a, compose lists only containers that are running (restarting ones count as running).
function psEntries(ctx, names, all) {
  const runtime = daemonPid(ctx.dir) ? readJson(runtimeFile(ctx.dir), { services: {} }) : { services: {} };
  return Object.values(ctx.stored.services)
    .filter((svc) => names.length === 0 || names.includes(svc.name))
    .filter((svc) => runtime.services[svc.name] && (all || runtime.services[svc.name].state !== 'exited'))
    .map((svc) => {
      const rt = runtime.services[svc.name];
      return {
        Command: '""',
        CreatedAt: svc.created,
        ExitCode: rt.exitCode ?? 0,
        Health: svc.healthcheck && rt.state === 'running' ? 'healthy' : '',
        ID: Buffer.from(`${ctx.project.name}/${svc.name}/${svc.created}`).toString('hex').slice(0, 64),
        Image: svc.image,
        Labels: `com.docker.compose.project=${ctx.project.name},com.docker.compose.service=${svc.name}`,
        LocalVolumes: '0',
        Mounts: svc.volumes.map((v) => v.host).join(','),
        Name: svc.containerName,
        Names: svc.containerName,
        Networks: `${ctx.project.name}_default`,
        Ports: portsText(svc),
        Project: ctx.project.name,
        Publishers: svc.ports.map((p) => ({
          URL: p.public ? '0.0.0.0' : p.hostIp,
          TargetPort: p.containerPort,
          PublishedPort: p.hostPort,
          Protocol: p.protocol,
        })),
        RunningFor: `${secondsSince(svc.created)} seconds ago`,
        Service: svc.name,
        Size: '0B',
        State: rt.state,
        Status: statusText(svc, rt),
        RestartCount: rt.restartCount,
      };
    });
}

const STDOUT = (text) => process.stdout.write(text);

function ps(opts, write = STDOUT) {
  const entries = psEntries(context(opts), opts.positional, opts.flags.has('-a') || opts.flags.has('--all'));
  const line = (text) => write(`${text}\n`);
  if (opts.flags.has('-q') || opts.flags.has('--quiet')) entries.forEach((e) => line(e.ID));
  else if (opts.format === 'json') entries.forEach((e) => line(JSON.stringify(e)));
  else {
    line('NAME\tIMAGE\tSERVICE\tSTATUS\tPORTS');
    entries.forEach((e) => line([e.Name, e.Image, e.Service, e.Status, e.Ports].join('\t')));
  }
  return 0;
}

function logs(opts, write = STDOUT) {
  const ctx = context(opts);
  const names = opts.positional.length > 0 ? opts.positional : Object.keys(ctx.stored.services);
  for (const name of names) {
    const file = serviceLogFile(ctx.dir, name);
    if (!fs.existsSync(file)) continue;
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const tail = opts.tail && opts.tail !== 'all' ? lines.slice(-Number(opts.tail)) : lines;
    const prefix = names.length > 1 && !opts.flags.has('--no-log-prefix') ? `${ctx.stored.services[name]?.containerName ?? name}  | ` : '';
    tail.forEach((l) => write(`${prefix}${l}\n`));
  }
  return 0;
}

// `run`/`exec` execute on the host with the service's environment and PATH leading to the
// simulated binaries; INFERENCED_SIM_HOME tells the CLI which host dir is /root/.inference and
// NOP_SIM_SERVICE which container its localhost is.
/**
 * The simulator's CLI (bin/inferenced, a wrapper that starts node on inferenced-cli.mjs) in this process, with the
 * environment and arguments the wrapper would have had: only for a caller that lends its process, as its last act
 * (the CLI exits the process with its own code when it is done).
 */
function inferencedHere(env, args) {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  process.argv = [process.execPath, path.join(HERE, 'inferenced-cli.mjs'), ...args];
  return import('./inferenced-cli.mjs');
}

function planOf(opts) {
  const ctx = context(opts);
  const [name, ...cmd] = opts.positional;
  const svc = ctx.project.services[name];
  if (!svc) throw new Error(`no such service: ${name}`);
  if (opts.command === 'exec' && !(daemonPid(ctx.dir) && ctx.stored.services[name] && !ctx.stored.services[name].stopped)) {
    return { code: 1, message: `service "${name}" is not running` };
  }
  const extra = Object.fromEntries(
    opts.env.map((kv) => {
      const eq = kv.indexOf('=');
      return eq === -1 ? [kv, process.env[kv] ?? ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  const env = {
    ...svc.environment,
    ...extra,
    PATH: `${path.join(HERE, 'bin')}:${process.env.PATH}`,
    NOP_SIM_STATE_DIR: ctx.stateDir,
    INFERENCED_SIM_HOME: hostPathOf(svc, '/root/.inference') ?? '',
    NOP_SIM_SERVICE: name,
  };
  return { argv: cmd, env };
}

/**
 * What `exec`/`run` (argv as this script takes it) runs: `{ argv, env }` (env: the variables added to the caller's),
 * or `{ code, message }` when it runs nothing; throws for an unknown service. The docker shim served by the host's
 * shim server hands the call on to the command (its client execs it: no node process waits for the command).
 */
export const execPlan = (argv) => planOf(parseArgs(argv));

/** What the container's runtime says for a command it cannot find. */
export const execNotFound = (cmd) => [127, `OCI runtime exec failed: exec: "${cmd}": executable file not found in $PATH`];

function execIn(opts, _write, { lendProcess = false } = {}) {
  const plan = planOf(opts);
  if (!plan.argv) {
    process.stderr.write(`${plan.message}\n`);
    return plan.code;
  }
  const env = { ...process.env, ...plan.env };
  const [cmd, ...args] = plan.argv;
  if (lendProcess && cmd === 'inferenced') return inferencedHere(env, args);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (result.error) {
    const [code, message] = execNotFound(cmd);
    process.stderr.write(`${message}\n`);
    return code;
  }
  return result.status ?? 1;
}

const COMMANDS = { up, down, stop, start, restart, ps, logs, exec: execIn, run: execIn };

/**
 * The commands that neither wait nor start the project (`ps`, `logs`, `exec`, `run`), in the caller's process: the
 * docker shim calls them here, a node start less per `docker compose ps` or `exec` (a status check makes a dozen).
 * `ps` and `logs` hand their output to `write`; `exec` and `run` run the command on the caller's stdio. Returns the
 * exit code; an error is its message on stderr and exit 1, as when run as a program. With `lendProcess`, `exec` and
 * `run` of the simulator's `inferenced` run the CLI in this process too (another node start less) and return its
 * promise instead of a code: the CLI ends the process.
 */
export const IN_PROCESS_COMMANDS = new Set(['ps', 'logs', 'exec', 'run']);
export function composeHookInProcess(argv, write = STDOUT, lend = {}) {
  const opts = parseArgs(argv);
  if (!IN_PROCESS_COMMANDS.has(opts.command)) throw new Error(`compose-hook: "${opts.command}" runs as its own process`);
  try {
    return COMMANDS[opts.command](opts, write, lend);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const command = COMMANDS[opts.command];
  if (!command) {
    process.stderr.write(`compose-hook: unknown command "${opts.command}"\n`);
    return 2;
  }
  return command(opts);
}

// run as a program (`node compose-hook.mjs …`); imported (the docker shim), it only lends its commands
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
