#!/usr/bin/env node
// docker (version, info, images, pull, ps, inspect, run, exec, logs, start, stop, restart, rm) and docker compose.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abort, answerLater, command, err, execInstead, exit, fallback, inServerCall, main, notInstalled, out, raw, table } from './lib/io.mjs';
import { loadProject, parsePort } from './lib/compose.mjs';
import { findContainer, findImage, gpuError, imageRef, inspectObject, newId, psObject, pullImage } from './lib/docker-state.mjs';
import { renderGoTemplate } from './lib/gotemplate.mjs';
import { listGpus, queryGpu, summary } from './lib/nvsmi.mjs';
import { DOCKER_STATE_DIR, readState, withState } from './lib/state.mjs';
import { composeHookInProcess, execNotFound, execPlan, IN_PROCESS_COMMANDS } from '../../gonka/compose-hook.mjs';

/** The Gonka simulator behind `docker compose` (a host's state may name another hook, or none). */
const DEFAULT_HOOK = fileURLToPath(new URL('../../gonka/compose-hook.mjs', import.meta.url));

/**
 * The calls the host's shim server may answer (lib/server.mjs): reads of the state that start no program (`compose ps`
 * asks the Gonka simulator's hook in this process), and `exec`/`compose exec|run`, which hand the call on to the
 * command (a call that needs more, as the simulator's CLI in a container that is not a compose project's, falls
 * back). Its client sends the caller's whole environment (compose interpolates it).
 */
export const serves = (argv) =>
  ['ps', 'inspect', 'images', 'version', '--version', 'exec'].includes(argv[0]) ||
  (argv[0] === 'image' && argv[1] === 'inspect') ||
  (argv[0] === 'compose' && ['version', 'ps', 'exec', 'run'].includes(composeSubcommand(argv.slice(1))));

const COMPOSE_GLOBAL = ['-f', '--file', '-p', '--project-name', '--env-file', '--project-directory', '--profile', '--ansi', '--progress', '--parallel'];

/** `docker compose [global options] SUBCOMMAND …`: the subcommand. */
const composeSubcommand = (args) => {
  for (let i = 0; i < args.length; i++) {
    if (COMPOSE_GLOBAL.includes(args[i])) i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
};

/** `work` run with process.env as `env` (the shim server runs one call at a time), the server's own restored after. */
const inEnvironment = async (env, work) => {
  const own = { ...process.env };
  const replace = (vars) => {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, vars);
  };
  replace(env);
  try {
    return await work();
  } finally {
    replace(own);
  }
};

export default command((argv) => {
  const REPO = fileURLToPath(new URL('../../../', import.meta.url));
  const GONKA_BIN = join(REPO, 'sim/gonka/bin');
  const SERVER_VERSION = '27.5.1';
  const COMPOSE_VERSION = 'v2.32.4';

  const initial = readState();
  // state.docker.compose_hook replaces the Gonka simulator behind `docker compose` (tests of this shim alone; null: none)
  const HOOK = initial.docker.compose_hook === undefined ? DEFAULT_HOOK : initial.docker.compose_hook;
  // the Gonka simulator's commands that neither wait nor start anything run in this process (compose-hook.mjs)
  const inProcess = (action) => HOOK === DEFAULT_HOOK && IN_PROCESS_COMMANDS.has(action);
  const hasHook = () => HOOK !== null && existsSync(HOOK);
  if (!['docker-ce', 'docker.io'].some((p) => initial.packages[p]?.status === 'ii')) notInstalled('docker');
  if (!initial.services.docker?.active && argv[0] !== '--version') {
    exit(1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');
  }

  const now = () => new Date().toISOString();

  /** Split `[options] positional...` given the options that take a value. */
  const parseArgs = (args, withValue) => {
    const opts = {};
    const rest = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (rest.length || !a.startsWith('-') || a === '-') {
        rest.push(...args.slice(i));
        break;
      }
      const [key, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (withValue.includes(key)) {
        opts[key] ??= [];
        opts[key].push(inline ?? args[++i]);
      } else if (/^-[a-zA-Z]{2,}$/.test(a)) [...a.slice(1)].forEach((c) => (opts[`-${c}`] = [true]));
      else opts[key] = [true];
    }
    return { opts, rest };
  };
  /** `-e NAME=VALUE`, or `-e NAME`: the caller's NAME, if it has one. */
  const envOption = (values) =>
    Object.fromEntries(
      values.flatMap((e) => (e.includes('=') ? [[e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]] : e in process.env ? [[e, process.env[e]]] : [])),
    );
  const one = (opts, ...keys) => keys.map((k) => opts[k]?.at(-1)).find((v) => v !== undefined);
  const many = (opts, ...keys) => keys.flatMap((k) => opts[k] ?? []);

  const formatted = (objects, format, tableRows) => {
    if (format) return objects.map((o) => renderGoTemplate(format, o)).join('\n');
    return table(tableRows);
  };

  // ---- commands run "inside" a container -------------------------------------------------------------

  const nvidiaSmiIn = (state, args) => {
    if (args.includes('-L')) return { code: 0, stdout: listGpus(state) };
    const q = args.find((a) => a.startsWith('--query-gpu='));
    if (q) {
      const res = queryGpu(state, q.slice(12), args.find((a) => a.startsWith('--format='))?.slice(9) ?? 'csv', undefined);
      return { code: res.code, stdout: res.code ? '' : res.text, stderr: res.code ? res.text : '' };
    }
    return { code: 0, stdout: summary(state) };
  };

  /** Run argv in a (simulated) container: the Gonka simulator's CLIs, nvidia-smi when GPUs were given, echo/true/false. */
  const runInside = (state, c, command, stdinMode) => {
    const [cmd, ...args] = command;
    if (cmd === undefined) return { code: 0, stdout: '' };
    if (existsSync(join(GONKA_BIN, cmd))) {
      fallback(); // the caller's stdin: only its own process has it
      // the simulator's commands are shell wrappers, run as they are (not as Node scripts)
      const res = spawnSync(join(GONKA_BIN, cmd), args, {
        stdio: [stdinMode, 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...c.env,
          NOP_SIM_STATE_DIR: DOCKER_STATE_DIR,
          // the Gonka simulator's CLI keeps its keyring in the host directory mounted at /root/.inference
          INFERENCED_SIM_HOME: c.volumes.find((v) => v.container === '/root/.inference')?.host ?? '',
        },
      });
      return { code: res.status ?? 1, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
    }
    if (cmd === 'nvidia-smi' && c.gpus) return nvidiaSmiIn(state, args);
    if (cmd === 'echo') return { code: 0, stdout: `${args.join(' ')}\n` };
    if (cmd === 'true') return { code: 0, stdout: '' };
    if (cmd === 'false') return { code: 1, stdout: '' };
    return {
      code: 127,
      stdout: '',
      stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`,
    };
  };

  const emit = (res) => {
    if (res.stdout) raw(res.stdout);
    if (res.stderr) err(res.stderr);
    exit(res.code);
  };

  // ---- docker <command> --------------------------------------------------------------------------------

  const newContainer = (spec) => ({
    id: newId(),
    name: spec.name,
    image: spec.image,
    command: spec.command,
    state: 'created',
    exit_code: 0,
    created: now(),
    started: null,
    finished: null,
    restart: spec.restart ?? 'no',
    restart_count: 0,
    gpus: spec.gpus ?? null,
    ports: spec.ports ?? [],
    labels: spec.labels ?? {},
    env: spec.env ?? {},
    volumes: spec.volumes ?? [],
    ipc: spec.ipc,
    config_hash: spec.hash ?? null,
    logs: [],
  });

  const RUN_VALUE_OPTS = [
    '--name',
    '-e',
    '--env',
    '-v',
    '--volume',
    '-p',
    '--publish',
    '--gpus',
    '--restart',
    '--entrypoint',
    '--network',
    '-w',
    '--workdir',
    '-u',
    '--user',
    '--env-file',
    '-l',
    '--label',
    '--ipc',
    '--shm-size',
    '--runtime',
    '--device',
    '--hostname',
    '-h',
    '--pull',
    '-m',
    '--memory',
    '--platform',
    '--ulimit',
  ];

  const parseGpuFlag = (value) => {
    if (value === undefined) return null;
    const v = value.replace(/^"|"$/g, '');
    if (v === 'all' || /^\d+$/.test(v)) return v === 'all' ? 'all' : [...Array(Number(v)).keys()].map(String);
    const ids = /device=([\d,]+)/.exec(v);
    return ids ? ids[1].split(',') : 'all';
  };

  /**
   * `--network container:NAME` shares NAME's network namespace, which must be running; from the api's namespace the
   * simulated `nats` CLI reaches the api's embedded NATS (its store under the api's /root/.dapi).
   */
  const joinedNetwork = (state, network) => {
    if (!network?.startsWith('container:')) return {};
    const ref = network.slice('container:'.length);
    const target = findContainer(state, ref);
    if (!target) abort(125, `docker: Error response from daemon: No such container: ${ref}.`);
    if (target.state !== 'running') abort(125, `docker: Error response from daemon: cannot join network namespace of a non running container: ${target.id}.`);
    const dapi = target.volumes.find((v) => v.container === '/root/.dapi')?.host;
    return dapi ? { NOP_SIM_NATS_DAPI: dapi } : {};
  };

  const dockerRun = (args) => {
    const { opts, rest } = parseArgs(args, RUN_VALUE_OPTS);
    const [image, ...command] = rest;
    if (!image) exit(125, '"docker run" requires at least 1 argument.');
    const gpus = parseGpuFlag(one(opts, '--gpus')) ?? (one(opts, '--runtime') === 'nvidia' ? 'all' : null);
    const detached = Boolean(one(opts, '-d', '--detach'));
    const removeAfter = Boolean(one(opts, '--rm'));
    // the image stays pulled even when the container then fails to start
    const pulled = withState((state) => (findImage(state, image) ? [] : [`Unable to find image '${imageRef(image)}' locally`, ...pullImage(state, image)]));
    if (pulled.length) err(pulled.join('\n'));
    const result = withState((state) => {
      const name = one(opts, '--name') ?? `sim_${newId().slice(0, 8)}`;
      if (findContainer(state, name)) {
        abort(
          125,
          `docker: Error response from daemon: Conflict. The container name "/${name}" is already in use by container "${findContainer(state, name).id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
      if (gpus) {
        const gpuErr = gpuError(state);
        if (gpuErr) abort(125, `docker: ${gpuErr}.`);
      }
      const env = envOption(many(opts, '-e', '--env'));
      const c = newContainer({
        name,
        image: imageRef(image),
        command,
        gpus,
        env,
        restart: one(opts, '--restart'),
        ports: many(opts, '-p', '--publish').map(parsePort),
        volumes: many(opts, '-v', '--volume').map((v) => ({ host: v.split(':')[0], container: v.split(':')[1], mode: v.split(':')[2] ?? 'rw' })),
        labels: Object.fromEntries(many(opts, '-l', '--label').map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')])),
      });
      c.started = now();
      if (detached) {
        c.state = 'running';
        state.docker.containers.push(c);
        return { code: 0, stdout: `${c.id}\n` };
      }
      const res = runInside(state, { ...c, env: { ...c.env, ...joinedNetwork(state, one(opts, '--network')) } }, command, 'inherit');
      c.state = 'exited';
      c.exit_code = res.code;
      c.finished = now();
      c.logs.push(...(res.stdout ?? '').split('\n').filter(Boolean));
      if (!removeAfter) state.docker.containers.push(c);
      return res;
    });
    emit(result);
  };

  const dockerPs = (args) => {
    const { opts } = parseArgs(args, ['--format', '-f', '--filter', '-n', '--last']);
    const state = readState();
    const filters = many(opts, '-f', '--filter');
    const all = Boolean(one(opts, '-a', '--all'));
    const list = state.docker.containers.filter((c) => {
      if (!all && c.state !== 'running') return false;
      return filters.every((f) => {
        const [key, ...v] = f.split('=');
        const value = v.join('=');
        if (key === 'name') return c.name.includes(value);
        if (key === 'status') return c.state === value;
        if (key === 'label') return value.includes('=') ? c.labels[value.split('=')[0]] === value.split('=').slice(1).join('=') : value in c.labels;
        if (key === 'ancestor') return c.image === imageRef(value);
        return true;
      });
    });
    if (one(opts, '-q', '--quiet')) return out(list.map((c) => c.id.slice(0, 12)).join('\n'));
    const rows = [
      ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
      ...list.map((c) => {
        const o = psObject(c);
        return [o.ID, o.Image, o.Command, o.RunningFor, o.Status, o.Ports, o.Names];
      }),
    ];
    const format = one(opts, '--format');
    out(formatted(list.map(psObject), format === 'json' ? '{{json .}}' : format, rows));
  };

  const dockerImages = (args) => {
    const { opts, rest } = parseArgs(args, ['--format', '-f', '--filter']);
    const state = readState();
    const list = state.docker.images.filter((i) => !rest[0] || i.repository === rest[0] || imageRef(rest[0]) === `${i.repository}:${i.tag}`);
    if (one(opts, '-q', '--quiet')) return out(list.map((i) => i.id.slice(0, 12)).join('\n'));
    const obj = (i) => ({
      Containers: 'N/A',
      CreatedAt: i.created,
      CreatedSince: 'About a minute ago',
      Digest: '<none>',
      ID: i.id.slice(0, 12),
      Repository: i.repository,
      SharedSize: 'N/A',
      Size: '1GB',
      Tag: i.tag,
      UniqueSize: 'N/A',
      VirtualSize: '1GB',
    });
    const rows = [
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
      ...list.map((i) => [i.repository, i.tag, i.id.slice(0, 12), 'About a minute ago', '1GB']),
    ];
    const format = one(opts, '--format');
    out(formatted(list.map(obj), format === 'json' ? '{{json .}}' : format, rows));
  };

  const dockerInspect = (args) => {
    const { opts, rest } = parseArgs(args, ['--format', '-f', '--type']);
    const state = readState();
    const found = [];
    const missing = [];
    for (const ref of rest) {
      const c = one(opts, '--type') === 'image' ? undefined : findContainer(state, ref);
      const i = c ? undefined : findImage(state, ref);
      if (c) found.push(inspectObject(state, c));
      else if (i) found.push({ Id: `sha256:${i.id}`, RepoTags: [`${i.repository}:${i.tag}`], Created: i.created, Size: i.size });
      else missing.push(ref);
    }
    const format = one(opts, '--format', '-f');
    if (format) out(found.map((o) => renderGoTemplate(format, o)).join('\n'));
    else out(JSON.stringify(found, null, 4));
    if (missing.length) exit(1, missing.map((m) => `Error: No such object: ${m}`).join('\n'));
  };

  /** `hookAction` (stop|start|restart) also reaches the Gonka simulator for containers of a compose project. */
  const containerCommand = (args, apply, hookAction) => {
    const { rest } = parseArgs(args, ['-t', '--time', '-s', '--signal']);
    main(() => {
      const touched = withState((state) =>
        rest.map((ref) => {
          const c = findContainer(state, ref) ?? abort(1, `Error response from daemon: No such container: ${ref}`);
          apply(state, c);
          return { ref, labels: c.labels };
        }),
      );
      if (hookAction && hasHook()) {
        for (const { labels } of touched.filter((t) => t.labels['com.docker.compose.project'])) {
          const res = hook(hookAction, projectOfContainer({ labels }), [labels['com.docker.compose.service']]);
          if (res.code !== 0) abort(1, `Error response from daemon: ${res.stderr.trim()}`);
        }
      }
      out(touched.map((t) => t.ref).join('\n'));
    });
  };

  const start = (state, c) => {
    if (c.gpus) {
      const e = gpuError(state);
      if (e) abort(1, e);
    }
    c.state = 'running';
    c.started = now();
  };

  const dockerRm = (args) => {
    const force = args.some((a) => ['-f', '--force'].includes(a) || /^-[a-z]*f/.test(a));
    containerCommand(args, (state, c) => {
      if (c.state === 'running' && !force) {
        abort(1, `Error response from daemon: cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`);
      }
      state.docker.containers = state.docker.containers.filter((x) => x !== c);
    });
  };

  const dockerLogs = (args) => {
    const { opts, rest } = parseArgs(args, ['--tail', '-n', '--since']);
    const state = readState();
    const c = findContainer(state, rest[0] ?? '') ?? exit(1, `Error response from daemon: No such container: ${rest[0]}`);
    if (c.labels['com.docker.compose.project'] && hasHook()) {
      return emit(hook('logs', projectOfContainer(c), [c.labels['com.docker.compose.service']], tailArgs(opts)));
    }
    const tail = one(opts, '--tail', '-n');
    const lines = tail && tail !== 'all' ? c.logs.slice(-Number(tail)) : c.logs;
    if (lines.length) out(lines.join('\n'));
  };

  const tailArgs = (opts) => {
    const tail = one(opts, '--tail', '-n');
    return tail ? ['--tail', String(tail)] : [];
  };

  const dockerExec = (args) => {
    const { opts, rest } = parseArgs(args, ['-e', '--env', '-w', '--workdir', '-u', '--user']);
    const [ref, ...command] = rest;
    const state = readState();
    const c = findContainer(state, ref ?? '') ?? exit(1, `Error response from daemon: No such container: ${ref}`);
    if (c.state !== 'running') exit(1, `Error response from daemon: container ${c.id} is not running`);
    const env = envOption(many(opts, '-e', '--env'));
    if (c.labels['com.docker.compose.project'] && hasHook())
      return hookInteractive('exec', projectOfContainer(c), [c.labels['com.docker.compose.service'], ...command], env);
    emit(runInside(state, { ...c, env: { ...c.env, ...env } }, command, one(opts, '-i', '--interactive') ? 'inherit' : 'ignore'));
  };

  const dockerVersion = (args) => {
    const { opts } = parseArgs(args, ['--format', '-f']);
    const info = {
      Client: { Version: SERVER_VERSION, ApiVersion: '1.47', Os: 'linux', Arch: 'amd64' },
      Server: { Version: SERVER_VERSION, ApiVersion: '1.47', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' },
    };
    const format = one(opts, '--format', '-f');
    if (format) return out(renderGoTemplate(format, info));
    out(
      `Client: Docker Engine - Community\n Version:           ${SERVER_VERSION}\n API version:       1.47\n OS/Arch:           linux/amd64\n\nServer: Docker Engine - Community\n Engine:\n  Version:          ${SERVER_VERSION}\n  API version:      1.47 (minimum version 1.24)\n  OS/Arch:          linux/amd64`,
    );
  };

  const dockerInfo = (args) => {
    const { opts } = parseArgs(args, ['--format', '-f']);
    const state = readState();
    let config = {};
    try {
      config = JSON.parse(state.docker.daemon_config || '{}');
    } catch {
      config = {};
    }
    const runtimes = { 'io.containerd.runc.v2': { path: 'runc' }, runc: { path: 'runc' }, ...config.runtimes };
    const info = {
      ServerVersion: SERVER_VERSION,
      Containers: state.docker.containers.length,
      ContainersRunning: state.docker.containers.filter((c) => c.state === 'running').length,
      Images: state.docker.images.length,
      Driver: 'overlay2',
      DockerRootDir: '/var/lib/docker',
      Runtimes: runtimes,
      DefaultRuntime: config['default-runtime'] ?? 'runc',
      OperatingSystem: `${state.profile.os.name} ${state.profile.os.version.replace(/ \(.*\)$/, '')}`,
      NCPU: state.profile.topology.cpus,
    };
    const format = one(opts, '--format', '-f');
    if (format) return out(renderGoTemplate(format, info));
    out(
      [
        'Client: Docker Engine - Community',
        ` Version:    ${SERVER_VERSION}`,
        '',
        'Server:',
        ` Containers: ${info.Containers}`,
        `  Running: ${info.ContainersRunning}`,
        ` Images: ${info.Images}`,
        ` Server Version: ${SERVER_VERSION}`,
        ` Storage Driver: overlay2`,
        ` Runtimes: ${Object.keys(runtimes).join(' ')}`,
        ` Default Runtime: ${info.DefaultRuntime}`,
        ` Operating System: ${info.OperatingSystem}`,
        ` CPUs: ${info.NCPU}`,
        ` Docker Root Dir: /var/lib/docker`,
      ].join('\n'),
    );
  };

  const dockerPull = (args) => {
    const { rest } = parseArgs(args, ['--platform']);
    main(() => out(withState((state) => [...pullImage(state, rest[0]), imageRef(rest[0])].join('\n'))));
  };

  // ---- docker compose ----------------------------------------------------------------------------------

  const hookArgs = (action, project, services, extra) => [
    HOOK,
    action,
    '--project-dir',
    project.dir,
    ...project.files.flatMap((f) => ['--file', f]),
    ...project.envFiles.flatMap((f) => ['--env-file', f]),
    ...(project.profiles ?? []).flatMap((p) => ['--profile', p]),
    '--state-dir',
    DOCKER_STATE_DIR,
    '-p',
    project.name,
    ...extra,
    ...services,
  ];

  const hook = (action, project, services, extra = []) => {
    const args = hookArgs(action, project, services, extra);
    if (inProcess(action)) {
      let stdout = '';
      const code = composeHookInProcess(args.slice(1), (text) => {
        stdout += text;
      });
      return { code, stdout, stderr: '' };
    }
    const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    return { code: res.status ?? 1, stdout: res.stdout.toString(), stderr: res.stderr.toString() };
  };

  /**
   * exec/run through the hook, with this process's stdin (secrets are piped, never passed as arguments). The Gonka
   * simulator's hook runs in this process: in the shim server it says what to run (execPlan) and the client execs
   * it; another hook runs as its own process.
   */
  const hookInteractive = (action, project, serviceAndCommand, env) => {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const args = hookArgs(action, project, serviceAndCommand, envArgs);
    if (inProcess(action)) {
      // served: the client execs the command itself; as its own process: the command runs here (the simulator's CLI
      // in this very process)
      if (inServerCall()) {
        let plan;
        try {
          plan = execPlan(args.slice(1));
        } catch (e) {
          exit(1, e.message);
        }
        if (!plan.argv) exit(plan.code, plan.message);
        if (!plan.argv.length) fallback();
        // a chain query (the roles ask a hundred and more per day-2 procedure) is answered here, no program started
        if (plan.argv[0] === 'inferenced' && plan.argv[1] === 'query') {
          const queryEnv = { ...process.env, ...plan.env };
          answerLater(() => inEnvironment(queryEnv, async () => (await import('../../gonka/inferenced-cli.mjs')).runQuery(plan.argv.slice(1))));
        }
        execInstead(plan.argv, { env: plan.env, notFound: execNotFound });
      }
      const code = composeHookInProcess(args.slice(1), undefined, { lendProcess: true });
      // a number: done; else the simulator's CLI runs on in this process and ends it with its own exit code
      if (typeof code === 'number') exit(code);
      return;
    }
    fallback();
    const res = spawnSync(process.execPath, args, { stdio: 'inherit', env: process.env });
    exit(res.status ?? 1);
  };

  const projectOfContainer = (c) => ({
    name: c.labels['com.docker.compose.project'],
    dir: c.labels['com.docker.compose.project.working_dir'],
    files: c.labels['com.docker.compose.project.config_files'].split(','),
    envFiles: (c.labels['nop.sim.env_files'] ?? '').split(',').filter(Boolean),
  });

  const composeLabels = (project, svc) => ({
    'com.docker.compose.project': project.name,
    'com.docker.compose.service': svc.service,
    'com.docker.compose.project.working_dir': project.dir,
    'com.docker.compose.project.config_files': project.files.join(','),
    'com.docker.compose.container-number': '1',
    'com.docker.compose.oneoff': 'False',
    'nop.sim.env_files': project.envFiles.join(','),
  });

  const projectContainers = (state, project) => state.docker.containers.filter((c) => c.labels['com.docker.compose.project'] === project.name);

  // named services whatever their profile; without names, those of no profile or of an active one
  const selected = (project, names) => {
    const unknown = names.filter((n) => !project.services.some((s) => s.service === n));
    if (unknown.length) abort(1, `no such service: ${unknown[0]}`);
    if (names.length) return project.services.filter((s) => names.includes(s.service));
    return project.services.filter((s) => s.profiles.length === 0 || s.profiles.some((p) => project.profiles.includes(p)));
  };

  const composeUp = (project, args) => {
    const { opts, rest } = parseArgs(args, ['--scale', '-t', '--timeout', '--pull', '--wait-timeout']);
    const force = Boolean(one(opts, '--force-recreate'));
    const lines = withState((state) => {
      const services = selected(project, rest);
      const log = [];
      for (const svc of services) {
        if (!findImage(state, svc.image)) log.push(` ${svc.service} Pulling`, ...pullImage(state, svc.image).map((l) => ` ${l}`), ` ${svc.service} Pulled`);
        if (svc.gpus) {
          const e = gpuError(state, 'nvidia');
          if (e) abort(1, [...log, e].join('\n'));
        }
      }
      if (!projectContainers(state, project).length) log.push(` Network ${project.name}_default  Creating`, ` Network ${project.name}_default  Created`);
      for (const svc of services) {
        const name = svc.container_name;
        const existing = findContainer(state, name);
        if (existing && existing.config_hash === svc.hash && !force) {
          if (existing.state !== 'running') Object.assign(existing, { state: 'running', started: now() });
          log.push(` Container ${name}  Running`);
          continue;
        }
        if (existing) state.docker.containers = state.docker.containers.filter((c) => c !== existing);
        const c = newContainer({ ...svc, name, labels: composeLabels(project, svc) });
        Object.assign(c, { state: 'running', started: now() });
        state.docker.containers.push(c);
        log.push(
          ` Container ${name}  ${existing ? 'Recreate' : 'Creating'}`,
          ` Container ${name}  ${existing ? 'Recreated' : 'Created'}`,
          ` Container ${name}  Starting`,
          ` Container ${name}  Started`,
        );
      }
      return log;
    });
    err([...project.warnings, ...lines].join('\n'));
    if (hasHook()) {
      // the simulated network starts a service's dependencies unless told not to, and keeps an unchanged container
      const flags = [...(one(opts, '--no-deps') ? ['--no-deps'] : []), ...(force ? ['--force-recreate'] : [])];
      const res = hook('up', project, rest, flags);
      if (res.code !== 0) emit(res);
    }
  };

  const composeDown = (project) => {
    const lines = withState((state) => {
      const mine = projectContainers(state, project);
      state.docker.containers = state.docker.containers.filter((c) => !mine.includes(c));
      const log = mine.flatMap((c) => [
        ` Container ${c.name}  Stopping`,
        ` Container ${c.name}  Stopped`,
        ` Container ${c.name}  Removing`,
        ` Container ${c.name}  Removed`,
      ]);
      return mine.length ? [...log, ` Network ${project.name}_default  Removing`, ` Network ${project.name}_default  Removed`] : log;
    });
    if (lines.length) err(lines.join('\n'));
    if (hasHook()) {
      const res = hook('down', project, []);
      if (res.code !== 0) emit(res);
    }
  };

  const composePsObject = (c) => {
    const base = psObject(c);
    return {
      ...base,
      ExitCode: c.exit_code,
      Health: '',
      Name: c.name,
      Project: c.labels['com.docker.compose.project'],
      Publishers: c.ports.map((p) => ({ URL: p.host_ip || '0.0.0.0', TargetPort: p.container_port, PublishedPort: p.host_port ?? 0, Protocol: p.proto })),
      Service: c.labels['com.docker.compose.service'],
    };
  };

  const composePs = (project, args) => {
    const { opts, rest } = parseArgs(args, ['--format', '--status', '--filter']);
    const state = readState();
    const all = Boolean(one(opts, '-a', '--all'));
    const status = one(opts, '--status');
    let objects = projectContainers(state, project)
      .filter((c) => (all || c.state === 'running') && (!status || c.state === status))
      .filter((c) => !rest.length || rest.includes(c.labels['com.docker.compose.service']))
      .map(composePsObject);
    if (hasHook()) {
      const res = hook('ps', project, rest, ['--format', 'json', ...(all ? ['-a'] : [])]);
      const lines = res.code === 0 ? res.stdout.split('\n').filter((l) => l.trim().startsWith('{')) : [];
      if (lines.length) objects = lines.map((l) => JSON.parse(l)).filter((o) => !status || o.State === status);
    }
    if (one(opts, '--services')) return out(objects.map((o) => o.Service).join('\n'));
    if (one(opts, '-q', '--quiet')) return out(objects.map((o) => o.ID).join('\n'));
    const format = one(opts, '--format');
    if (format === 'json') return objects.length ? out(objects.map((o) => JSON.stringify(o)).join('\n')) : undefined;
    if (format) return out(objects.map((o) => renderGoTemplate(format, o)).join('\n'));
    const c = (o) => [o.Name, o.Image, o.Command, o.Service, o.RunningFor, o.Status, o.Ports];
    out(table([['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], ...objects.map(c)]));
  };

  const composeLogs = (project, args) => {
    const { opts, rest } = parseArgs(args, ['--tail', '-n', '--since', '--until']);
    if (hasHook()) return emit(hook('logs', project, rest, tailArgs(opts)));
    const state = readState();
    const lines = projectContainers(state, project)
      .filter((c) => !rest.length || rest.includes(c.labels['com.docker.compose.service']))
      .flatMap((c) => c.logs.map((l) => `${c.name}  | ${l}`));
    if (lines.length) out(lines.join('\n'));
  };

  /** stop|start|restart: the shim's containers, then the Gonka simulator's (whose lines are then the ones printed). */
  const composeRestartLike = (project, args, action, apply) => {
    const { rest } = parseArgs(args, ['-t', '--timeout']);
    const [ing, ed] = { stop: ['Stopping', 'Stopped'], start: ['Starting', 'Started'], restart: ['Restarting', 'Started'] }[action];
    const lines = withState((state) => {
      const names = selected(project, rest).map((s) => s.container_name);
      return projectContainers(state, project)
        .filter((c) => names.includes(c.name))
        .filter((c) => action !== 'start' || c.state !== 'running')
        .flatMap((c) => {
          apply(state, c);
          return [` Container ${c.name}  ${ing}`, ` Container ${c.name}  ${ed}`];
        });
    });
    if (hasHook()) {
      const res = hook(action, project, rest);
      if (res.code !== 0) emit(res);
      if (res.stderr) err(res.stderr);
      return;
    }
    if (lines.length) err(lines.join('\n'));
  };

  const composePull = (project, args) => {
    const { rest } = parseArgs(args, []);
    const lines = withState((state) =>
      selected(project, rest).flatMap((s) => {
        pullImage(state, s.image);
        return [` ${s.service} Pulling`, ` ${s.service} Pulled`];
      }),
    );
    err(lines.join('\n'));
  };

  const composeExecOrRun = (project, args, run) => {
    const { opts, rest } = parseArgs(args, ['-e', '--env', '-w', '--workdir', '-u', '--user', '--entrypoint', '--name']);
    const [service, ...command] = rest;
    const state = readState();
    const svc = project.services.find((s) => s.service === service) ?? exit(1, `no such service: ${service}`);
    const env = envOption(many(opts, '-e', '--env'));
    const entry = one(opts, '--entrypoint');
    const argv2 = entry ? [entry, ...command] : command.length ? command : svc.command;
    if (hasHook()) return hookInteractive(run ? 'run' : 'exec', project, [service, ...argv2], env);
    const running = findContainer(state, svc.container_name);
    if (!run && running?.state !== 'running') exit(1, `service "${service}" is not running`);
    const c = run ? newContainer({ ...svc, name: `${project.name}-${service}-run`, labels: composeLabels(project, svc) }) : running;
    emit(runInside(state, { ...c, env: { ...c.env, ...env } }, argv2, 'inherit'));
  };

  const compose = (args) => {
    const { opts, rest } = parseArgs(args, COMPOSE_GLOBAL);
    const [sub, ...subArgs] = rest;
    if (sub === 'version')
      return out(one(opts, '--short') || subArgs.includes('--short') ? COMPOSE_VERSION.slice(1) : `Docker Compose version ${COMPOSE_VERSION}`);
    const files = many(opts, '-f', '--file');
    const cwdFile = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].map((f) => resolve(f)).find(existsSync);
    if (!files.length && !cwdFile) exit(1, 'no configuration file provided: not found');
    main(() => {
      let project;
      try {
        project = loadProject({
          files: files.length ? files : [cwdFile],
          projectName: one(opts, '-p', '--project-name'),
          projectDir: one(opts, '--project-directory'),
          envFiles: many(opts, '--env-file'),
          profiles: many(opts, '--profile'),
        });
      } catch (e) {
        abort(1, e.message);
      }
      const SUB = {
        up: () => composeUp(project, subArgs),
        down: () => composeDown(project),
        ps: () => composePs(project, subArgs),
        logs: () => composeLogs(project, subArgs),
        pull: () => composePull(project, subArgs),
        restart: () =>
          composeRestartLike(project, subArgs, 'restart', (state, c) => {
            start(state, c);
            c.restart_count += 1;
          }),
        stop: () => composeRestartLike(project, subArgs, 'stop', (state, c) => Object.assign(c, { state: 'exited', finished: now() })),
        start: () => composeRestartLike(project, subArgs, 'start', start),
        exec: () =>
          composeExecOrRun(
            project,
            subArgs.filter((a) => a !== '-T'),
            false,
          ),
        run: () =>
          composeExecOrRun(
            project,
            subArgs.filter((a) => !['-T', '--rm'].includes(a)),
            true,
          ),
        config: () => out(subArgs.includes('--services') ? project.services.map((s) => s.service).join('\n') : JSON.stringify(project.services, null, 2)),
        images: () => out(project.services.map((s) => s.image).join('\n')),
      };
      if (!SUB[sub]) abort(1, `unknown docker command: "compose ${sub}"`);
      SUB[sub]();
    });
  };

  const COMMANDS = {
    version: dockerVersion,
    '--version': () => out(`Docker version ${SERVER_VERSION}, build cc13f95`),
    info: dockerInfo,
    images: dockerImages,
    pull: dockerPull,
    ps: dockerPs,
    inspect: dockerInspect,
    run: (a) => main(() => dockerRun(a)),
    exec: dockerExec,
    logs: dockerLogs,
    start: (a) => containerCommand(a, start, 'start'),
    stop: (a) => containerCommand(a, (_, c) => Object.assign(c, { state: 'exited', finished: now() }), 'stop'),
    restart: (a) =>
      containerCommand(
        a,
        (state, c) => {
          start(state, c);
          c.restart_count += 1;
        },
        'restart',
      ),
    rm: dockerRm,
    // a paused container is still listed as running (its status says Paused); only the flag is kept
    pause: (a) =>
      containerCommand(a, (_, c) => {
        if (c.state !== 'running') abort(1, `Error response from daemon: Container ${c.id} is not running`);
        if (c.paused) abort(1, `Error response from daemon: Container ${c.id} is already paused`);
        c.paused = true;
      }),
    unpause: (a) =>
      containerCommand(a, (_, c) => {
        if (!c.paused) abort(1, `Error response from daemon: Container ${c.id} is not paused`);
        c.paused = false;
      }),
    compose,
    image: ([sub, ...a]) =>
      sub === 'inspect'
        ? dockerInspect(['--type', 'image', ...a])
        : sub === 'ls'
          ? dockerImages(a)
          : sub === 'pull'
            ? dockerPull(a)
            : exit(1, `docker image ${sub}: not simulated`),
    container: ([sub, ...a]) => (COMMANDS[sub === 'ls' ? 'ps' : sub] ?? (() => exit(1, `docker container ${sub}: not simulated`)))(a),
  };

  const [command, ...args] = argv;
  (COMMANDS[command] ?? (() => exit(1, `docker: '${command}' is not a docker command.\nSee 'docker --help'`)))(args);
});
