import { createHash } from 'node:crypto';
import { copyFile, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runPlaybook, type RunPlaybookOptions, type RunSummary } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { networkHeightNow, startSeedApi, writeScenario, type ScenarioPatch } from '../../sim/gonka.js';
import { simConnect } from '../../sim/host/connect.js';
import { fundsColdAccounts } from '../../sim/operator-funds.js';
import { createSimHost, type SimHost } from '../../sim/host/create.js';
import { REPO_ROOT } from '../../sim/host/paths.js';
import type { ProfileInput } from '../../sim/host/profile.js';
import { releasePortOffset, reservePortOffset } from '../../sim/port-offset.js';

/** The simulated network's height now, as seen from SERVER's state dir. */
export const networkHeight = (s: SimServer): number => networkHeightNow(s.stateDir);

/** A loopback port nothing listens on (for an unreachable host). */
export const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

export const PASSWORD = 'e2e-keyring-pass-41c9';
/** The deploy dir on every simulated server (the roles' default). */
export const DEPLOY = '/opt/gonka/deploy/join';

/** A loopback server standing in for download.docker.com and nvidia.github.io (their signing keys). */
const keyServer = async () => {
  const server: Server = createHttpServer((_req, res) => res.end('-----BEGIN PGP PUBLIC KEY BLOCK-----\nsimulated\n-----END PGP PUBLIC KEY BLOCK-----\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    vars: { docker_apt_key_url: `${url}/docker/gpg`, nvidia_container_toolkit_key_url: `${url}/nvidia/gpgkey` },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

export interface SimServer {
  name: string;
  host: SimHost;
  /** the Gonka simulator's state dir, on this machine */
  stateDir: string;
  vars: Record<string, unknown>;
}

export interface Fleet {
  dir: string;
  offset: number;
  servers: Record<string, SimServer>;
  scenario(name: string, patch: ScenarioPatch): void;
  writeInventory(inventory: unknown): Promise<string>;
  /** how the run reaches the simulated servers (wrap it to watch every remote command) */
  connect: NonNullable<RunPlaybookOptions['connect']>;
  run(opts?: {
    /** another playbook than setup.yml (a copy in the fleet's dir keeps its retry file there) */
    playbook?: string;
    check?: boolean;
    diff?: boolean;
    extraVars?: Record<string, unknown>;
    limit?: string;
    connect?: RunPlaybookOptions['connect'];
    /** sees every event as it happens */
    onEvent?: (e: RunEvent) => void;
  }): Promise<RunSummary & { events: RunEvent[]; output: string; results: Extract<RunEvent, { type: 'task_result' }>[] }>;
  /** `docker compose down` of SERVER's ML node compose file (its containers gone, as after a crash). */
  stopMlNodes(server: string): Promise<void>;
  cleanup(): Promise<void>;
}

// mainnet as it runs today: the simulator's default (edition-2) chain
export const FAST: ScenarioPatch = { syncBlocksPerSecond: 4000, snapshotLagBlocks: 2000, modelLoadSeconds: 2 };

export interface ServerSpec {
  name: string;
  profile: string | ProfileInput;
  /** its private address (a loopback address of its own) */
  address: string;
  /** the Gonka CLI installed: the operator's machine holding the cold key */
  inferenced?: boolean;
}

// each simulated server gets its own loopback address as its private address; all share one port offset and one
// clock (one simulated network); the hosts are built in parallel. The operator funds each cold account once a run
// created it (v0.2.16's fees), unless `operatorFunds` is false (a test of the unfunded stop).
export const createFleet = async (specs: ServerSpec[], { operatorFunds = true }: { operatorFunds?: boolean } = {}): Promise<Fleet> => {
  const dir = await mkdtemp(join(tmpdir(), 'nop-e2e-'));
  const offset = await reservePortOffset(['127.0.0.1', ...specs.map((s) => s.address)]);
  const keys = await keyServer();
  const clockDir = join(dir, 'clock');
  await mkdir(clockDir);
  const servers: Record<string, SimServer> = Object.fromEntries(
    await Promise.all(
      specs.map(async (spec) => {
        const host = await createSimHost({
          profile: spec.profile,
          dir: join(dir, spec.name),
          clockDir,
          gonka: { portOffset: offset, privateAddr: spec.address },
          inferenced: spec.inferenced,
        });
        writeScenario(host.gonkaStateDir, FAST);
        return [
          spec.name,
          { name: spec.name, host, stateDir: host.gonkaStateDir, vars: { allow_reboot: true, ...keys.vars } as Record<string, unknown> },
        ] as const;
      }),
    ),
  );
  // the servers are their network's seed, so before their proxy runs gpu-detect reads the live PoC models through
  // another participant's API (on the first server's chain state: every server of a fleet has the same scenario)
  const seed = await startSeedApi(servers[specs[0].name].stateDir);
  for (const s of Object.values(servers)) s.vars.gonka_chain_api = seed.url;
  const connect = simConnect(Object.fromEntries(Object.values(servers).map((s) => [s.name, s.host])));
  const operator = operatorFunds ? fundsColdAccounts(Object.values(servers).map((s) => s.stateDir)) : () => undefined;
  const inventoryPath = join(dir, 'inventory.yml');
  // a copy of setup.yml in the temp dir, so its retry file is written there and not beside the repo's playbook
  const playbook = join(dir, 'setup.yml');
  await copyFile(join(REPO_ROOT, 'playbooks/setup.yml'), playbook);
  return {
    dir,
    offset,
    servers,
    connect,
    scenario: (name, patch) => void writeScenario(servers[name].stateDir, patch),
    writeInventory: async (inventory) => {
      await writeFile(inventoryPath, stringify(inventory));
      return inventoryPath;
    },
    run: async ({ onEvent, playbook: other, ...opts } = {}) => {
      const events: RunEvent[] = [];
      const emit = (e: RunEvent) => {
        operator(e);
        events.push(e);
        onEvent?.(e);
      };
      const summary = await runPlaybook({ playbook: other ?? playbook, inventories: [inventoryPath], emit, connect, ...opts });
      const results = events.filter((e): e is Extract<RunEvent, { type: 'task_result' }> => e.type === 'task_result');
      return { ...summary, events, results, output: JSON.stringify(events) };
    },
    stopMlNodes: async (name) => {
      await servers[name].host.sh(`cd ${DEPLOY} && docker compose -f docker-compose.mlnode.yml down >/dev/null 2>&1`);
    },
    cleanup: async () => {
      // the simulated containers are processes of their hosts: closing a host stops them
      await Promise.all(Object.values(servers).map((s) => s.host.close()));
      await keys.close();
      await seed.close();
      releasePortOffset(offset);
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** Seeds pointing at the simulated network node itself (its proxy and RPC, where the simulator listens). */
export const seedOverrides = (offset: number) => ({
  seed_api_url: `http://127.0.0.1:${8000 + offset}`,
  seed_node_rpc_url: `http://127.0.0.1:${26657 + offset}`,
});

// fast polls (each moves the simulated chain and model loads on by a step, however long it took: sim/gonka/clock.mjs);
// timeouts a slow machine never reaches; a height that stands still for 20 s is stuck (a halted node never moves)
export const DEPLOY_KNOBS = {
  sync_poll_seconds: 0.2,
  sync_stuck_seconds: 20,
  model_poll_seconds: 0.2,
  model_load_timeout: 600,
  sync_timeout: 600,
  register_verify_timeout: 600,
};

/**
 * Deploy-dir files a running network node rewrites by itself: the node's signing state on every block, the api's
 * database on every PoC phase and ML node load. A check-mode snapshot compares everything else.
 */
export const SERVICE_RUNTIME_FILES: readonly string[] = ['/.inference/data/priv_validator_state.json', '/.dapi/gonka.db'];

/** `host:path` of every entry that differs between two snapshots of each host, the services' runtime files aside. */
export const changedEntries = (hosts: readonly string[], before: Map<string, string>[], after: Map<string, string>[]): string[] =>
  before.flatMap((b, i) =>
    [...new Set([...b.keys(), ...after[i].keys()])]
      .filter((k) => !SERVICE_RUNTIME_FILES.includes(k) && b.get(k) !== after[i].get(k))
      .map((k) => `${hosts[i]}:${k}`),
  );

/**
 * Every entry under `root` (a simulated host's directory: all it wrote) with its mode, content hash (directories:
 * 'dir') and link target: equal snapshots, nothing changed. Content, not mtime: the simulated kernel and apt
 * rewrite their own state with the same bytes.
 */
export const snapshotTree = async (root: string): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  const entryOf = async (path: string): Promise<string> => {
    const st = await lstat(path);
    const target = st.isSymbolicLink() ? ` -> ${await readlink(path)}` : '';
    const content = st.isFile()
      ? createHash('sha256')
          .update(await readFile(path))
          .digest('hex')
      : st.isDirectory()
        ? 'dir'
        : '';
    return `${st.mode.toString(8)} ${content}${target}`;
  };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      // a running service's own temp file (the api's gonka.db, written then renamed) may be gone by the time it is
      // read: it was never part of the host's state
      const value = await entryOf(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (value === undefined) continue;
      out.set(path.slice(root.length), value);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(root);
  return out;
};

export type AdminNodeView = {
  node: { id: string; host: string; models: Record<string, unknown> };
  state: { current_status?: string; admin_state: { enabled: boolean } };
};

/** The ML nodes the network node's admin API lists (bound to 127.0.0.1, as on a real server). */
export const adminNodes = async (f: Fleet): Promise<AdminNodeView[]> => {
  const res = await fetch(`http://127.0.0.1:${9200 + f.offset}/admin/v1/nodes`);
  return (await res.json()) as AdminNodeView[];
};

// services and node settings today's stack has and nop's older one (up to v0.2.12) did not
const NEW_SERVICES = ['versiond', 'edge-api', 'bridge', 'proxy-ssl'];
const NEW_NODE_ENV = /^(CONFIG_|QUERY_GAS_LIMIT|GONKA_SLOW_QUERY_THRESHOLD_MS)/;
type ComposeDoc = { services: Record<string, { environment?: string[]; depends_on?: Record<string, unknown> }> };

/** Rewrite a deployed compose file as nop's older stack wrote it: without today's services and node settings. */
export const writeOlderStackCompose = async (file: string): Promise<void> => {
  const doc = parse(await readFile(file, 'utf8')) as ComposeDoc;
  for (const name of NEW_SERVICES) delete doc.services[name];
  for (const name of NEW_SERVICES) delete doc.services.proxy.depends_on?.[name];
  doc.services.node.environment = doc.services.node.environment?.filter((e) => !NEW_NODE_ENV.test(e));
  await writeFile(file, stringify(doc));
};
