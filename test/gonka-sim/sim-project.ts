// Starts a simulated Gonka project from a compose file laid out like the reference's
// docker-compose.yml / docker-compose.mlnode.yml, on ports shifted by a free offset.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeHostSettings } from '../../sim/gonka/host-settings.mjs';
import { reservePortOffset } from '../../sim/port-offset.js';

const SIM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sim/gonka');
export const HOOK = path.join(SIM, 'compose-hook.mjs');
export const INFERENCED = path.join(SIM, 'bin/inferenced');
export const BASE_PORTS = { p2p: 5000, rpc: 26657, poc: 9100, admin: 9200, proxy: 8000, ml: 8080, inference: 5050 };

export const COMPOSE = `services:
  tmkms:
    image: ghcr.io/product-science/tmkms-softsign-with-keygen:\${GONKA_VERSION}
    environment:
      - VALIDATOR_LISTEN_ADDRESS=tcp://node:\${TMKMS_PORT:-26658}
    volumes:
      - .tmkms:/root/.tmkms
  node:
    image: ghcr.io/product-science/inferenced:\${GONKA_VERSION}
    volumes:
      - .inference:/root/.inference
    environment:
      - KEY_NAME=\${KEY_NAME}
      - P2P_EXTERNAL_ADDRESS=\${P2P_EXTERNAL_ADDRESS}
      - SYNC_WITH_SNAPSHOTS=true
    ports:
      - "5000:26656"
      - "127.0.0.1:26657:26657"
    depends_on: [tmkms]
  api:
    image: ghcr.io/product-science/api:\${GONKA_VERSION}
    volumes:
      - .inference:/root/.inference
      - .dapi:/root/.dapi
      - \${NODE_CONFIG:-./node-config.json}:/root/node_config.json
    environment:
      - KEY_NAME=\${KEY_NAME}
      - ACCOUNT_PUBKEY=\${ACCOUNT_PUBKEY:-}
      - KEYRING_BACKEND=file
      - KEYRING_PASSWORD=\${KEYRING_PASSWORD}
      - DAPI_API__PUBLIC_URL=\${PUBLIC_URL}
      - DAPI_CHAIN_NODE__URL=http://node:26657
    ports:
      - "127.0.0.1:9100:9100"
      - "127.0.0.1:9200:9200"
    depends_on: [node]
  proxy:
    image: ghcr.io/product-science/proxy:\${GONKA_VERSION}
    ports:
      - "\${API_PORT:-8000}:80"
    environment:
      - GONKA_API_BLOCKED_ROUTES=poc-batches training
    depends_on: [node, api, explorer]
  explorer:
    image: ghcr.io/product-science/explorer:latest
  mlnode-1:
    image: ghcr.io/gonka-ai/mlnode:3.0.14-post2
    volumes:
      - \${HF_HOME}:/root/.cache
    environment:
      - HF_HOME=/root/.cache
      - HF_HUB_OFFLINE=true
  inference:
    image: nginx:1.28.0
    ports:
      - "127.0.0.1:\${PORT:-8080}:8080"
      - "127.0.0.1:\${INFERENCE_PORT:-5050}:5000"
`;

export const MODEL = 'MiniMaxAI/MiniMax-M2.7';
export const NODE_CONFIG = [
  {
    id: 'node1',
    host: 'inference',
    inference_port: 5000,
    poc_port: 8080,
    max_concurrent: 500,
    models: { [MODEL]: { args: ['--tensor-parallel-size', '4', '--kv-cache-dtype', 'fp8'] } },
    hardware: [{ type: 'NVIDIA H100 80GB HBM3', count: 8 }],
  },
];

export interface SimProject {
  root: string;
  deploy: string;
  stateDir: string;
  offset: number;
  url(port: keyof typeof BASE_PORTS, pathname: string): string;
  hook(args: string[], input?: string): Promise<Run>;
  cli(args: string[], input?: string, env?: Record<string, string>): Promise<Run>;
  cleanup(): Promise<void>;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export async function createSimProject(opts: { withWeights?: boolean; scenario?: object } = {}): Promise<SimProject> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'gonka-sim-'));
  const deploy = path.join(root, 'deploy');
  const stateDir = path.join(root, 'state');
  const hf = path.join(root, 'hf');
  await fs.mkdir(deploy, { recursive: true });
  await fs.mkdir(stateDir);
  if (opts.withWeights !== false) await fs.mkdir(path.join(hf, 'hub', `models--${MODEL.replaceAll('/', '--')}`), { recursive: true });
  await fs.writeFile(path.join(deploy, 'docker-compose.yml'), COMPOSE);
  await fs.writeFile(path.join(deploy, 'node-config.json'), JSON.stringify(NODE_CONFIG));
  await fs.writeFile(
    path.join(deploy, 'config.env'),
    [
      'export KEY_NAME=my-node-warm',
      'export KEYRING_PASSWORD="correct horse battery"',
      'export API_PORT=8000',
      'export PUBLIC_URL=http://203.0.113.7:8000',
      'export P2P_EXTERNAL_ADDRESS=tcp://203.0.113.7:5000',
      `export HF_HOME=${hf}`,
      'export GONKA_VERSION=0.2.9',
      '',
    ].join('\n'),
  );
  if (opts.scenario) await fs.writeFile(path.join(stateDir, 'gonka-scenario.json'), JSON.stringify(opts.scenario));
  const offset = await reservePortOffset();
  writeHostSettings(stateDir, { portOffset: offset });
  // the CLI, run outside a container here, is told where the simulator keeps its state
  const env = { NOP_SIM_STATE_DIR: stateDir };
  const common = ['--project-dir', deploy, '--file', 'docker-compose.yml', '--env-file', path.join(deploy, 'config.env'), '--state-dir', stateDir];
  const hook = (args: string[], input?: string) => {
    const [command, ...rest] = args;
    return run(process.execPath, [HOOK, command, ...common, ...rest], env, input);
  };
  return {
    root,
    deploy,
    stateDir,
    offset,
    url: (port, pathname) => `http://127.0.0.1:${BASE_PORTS[port] + offset}${pathname}`,
    hook,
    cli: (args, input, extra = {}) => run(INFERENCED, args, { ...env, ...extra }, input),
    async cleanup() {
      await hook(['down']);
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export { eventually } from '../helpers/eventually.js';
