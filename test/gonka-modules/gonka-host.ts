// A simulated server with Docker installed and a Gonka deploy directory laid out as the config role leaves it
// (docker-compose.yml, config.env, node-config.json): the bed of the Gonka module tests. Nothing is started.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createFactStore } from '../../lib/facts/fact-store.js';
import { createModuleContext } from '../../lib/modules/context.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import type { Transport } from '../../lib/transport/transport.js';
import { writeScenario, type ScenarioPatch } from '../../sim/gonka.js';
import { createSimHost, type SimHost } from '../../sim/host/create.js';
import { PROFILES_DIR } from '../../sim/host/paths.js';
import type { ProfileInput } from '../../sim/host/profile.js';
import { releasePortOffset, reservePortOffset } from '../../sim/port-offset.js';
import { COMPOSE, MODEL, NODE_CONFIG } from '../gonka-sim/sim-project.js';

export const DEPLOY = '/opt/gonka/deploy/join';
export const PASSWORD = 'correct horse battery';
export const HF_HOME = '/mnt/shared';
export { MODEL, NODE_CONFIG };

const CONFIG_ENV = [
  'export KEY_NAME=my-node-warm',
  `export KEYRING_PASSWORD='${PASSWORD}'`,
  'export API_PORT=8000',
  'export PUBLIC_URL=http://203.0.113.7:8000',
  'export P2P_EXTERNAL_ADDRESS=tcp://203.0.113.7:5000',
  `export HF_HOME=${HF_HOME}`,
  'export GONKA_VERSION=0.2.9',
  '',
].join('\n');

/** Every image the compose file runs, as the docker_image module names them. */
export const IMAGES = [
  'ghcr.io/product-science/tmkms-softsign-with-keygen:0.2.9',
  'ghcr.io/product-science/inferenced:0.2.9',
  'ghcr.io/product-science/api:0.2.9',
  'ghcr.io/product-science/proxy:0.2.9',
  'ghcr.io/product-science/explorer:latest',
  'ghcr.io/gonka-ai/mlnode:3.0.14-post2',
  'nginx:1.28.0',
];

/** How a module names this host's compose project. */
export const PROJECT = { project_dir: DEPLOY, files: ['docker-compose.yml'], env_file: 'config.env' };

export interface GonkaHost {
  host: SimHost;
  dir: string;
  offset: number;
  /** a module context on the host as a new run has it (a cold fact cache); `transport` counts its commands */
  context(opts?: { check?: boolean; transport?: Transport }): ModuleContext;
  /** `docker compose ARGS` in the deploy dir with config.env sourced, run by the test (not by nop) */
  compose(args: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** a URL of a simulated service as seen from this machine (the host's published port, shifted by the offset) */
  url(port: number, path: string): string;
  scenario(patch: ScenarioPatch): void;
  cleanup(): Promise<void>;
}

/**
 * A no-GPU server with Docker running and the deploy directory rendered; `files: false` leaves the directory empty,
 * `inferenced: true` installs the CLI on the host itself (an operator's cold signer).
 */
export const gonkaHost = async (opts: { files?: boolean; docker?: boolean; inferenced?: boolean } = {}): Promise<GonkaHost> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-gonka-modules-'));
  const offset = await reservePortOffset();
  const base = parse(await readFile(join(PROFILES_DIR, 'no-gpu.yaml'), 'utf8')) as ProfileInput & { packages?: { name: string }[] };
  const docker = opts.docker === false ? [] : ['containerd.io', 'docker-ce-cli', 'docker-ce', 'docker-compose-plugin'].map((name) => ({ name }));
  const host = await createSimHost({
    dir: join(dir, 'host'),
    gonka: { portOffset: offset },
    inferenced: opts.inferenced,
    profile: { ...base, packages: [...(base.packages ?? []), ...docker] },
  });
  const cleanup = async () => {
    await host.close();
    releasePortOffset(offset);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (opts.docker !== false) {
      const started = await host.sh('systemctl restart docker');
      if (started.code !== 0) throw new Error(`docker did not start: ${started.stderr}`);
    }
    await mkdir(host.path(DEPLOY), { recursive: true });
    await mkdir(host.path(`${HF_HOME}/hub/models--${MODEL.replaceAll('/', '--')}`), { recursive: true });
    if (opts.files !== false) {
      await writeFile(host.path(`${DEPLOY}/docker-compose.yml`), COMPOSE);
      await writeFile(host.path(`${DEPLOY}/config.env`), CONFIG_ENV, { mode: 0o600 });
      await writeFile(host.path(`${DEPLOY}/node-config.json`), JSON.stringify(NODE_CONFIG));
    }
    writeScenario(host.gonkaStateDir, { modelLoadSeconds: 1 });
  } catch (e) {
    await cleanup();
    throw e;
  }
  return {
    host,
    dir,
    offset,
    context: ({ check = false, transport = host.transport() } = {}) =>
      createModuleContext({
        hostname: 'gpu1',
        transport,
        facts: createFactStore(transport).reader(undefined),
        check,
        diff: true,
        vars: {},
        templateDirs: [],
        fileDirs: [],
      }),
    compose: (args) => host.sh(`set -a; . ./config.env; set +a; docker compose -f docker-compose.yml ${args}`, { cwd: DEPLOY }),
    url: (port, path) => `http://127.0.0.1:${port + offset}${path}`,
    scenario: (patch) => void writeScenario(host.gonkaStateDir, patch),
    cleanup,
  };
};

/** The services compose lists as running, by the test's own `docker compose ps`. */
export const runningServices = async (h: GonkaHost): Promise<string[]> => {
  const ps = await h.compose('ps --format json');
  return ps.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { Service: string; State: string })
    .filter((c) => c.State === 'running')
    .map((c) => c.Service)
    .sort();
};
