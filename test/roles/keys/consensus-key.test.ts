import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFactStore } from '../../../lib/facts/fact-store.js';
import { createModuleContext } from '../../../lib/modules/context.js';
import type { ModuleContext } from '../../../lib/modules/module.js';
import { publishConsensusKey, readConsensusKey } from '../../../lib/gonka/consensus-key.js';
import { createSimHost, type SimHost } from '../../../sim/host/create.js';
import type { ProfileInput } from '../../../sim/host/profile.js';
import { ed25519PublicKey } from '../../../sim/gonka/keys.mjs';

const COMPOSE = `services:
  tmkms:
    image: ghcr.io/product-science/tmkms-softsign-with-keygen:0.2.9
    container_name: tmkms
    environment:
      - VALIDATOR_LISTEN_ADDRESS=tcp://node:26658
    volumes:
      - .tmkms:/root/.tmkms
`;

const deployDir = '/opt/gonka/deploy/join';
let dir: string;
let server: SimHost;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-consensus-'));
  const profile = parse(await readFile(join(import.meta.dirname, '..', '..', '..', 'sim', 'host', 'profiles', 'rtx3090-1x.yaml'), 'utf8')) as ProfileInput & {
    packages: { name: string }[];
  };
  server = await createSimHost({ profile: { ...profile, packages: [...profile.packages, { name: 'docker-ce' }] }, dir: join(dir, 'server') });
  await writeFile(server.path(`${deployDir}/docker-compose.yml`), COMPOSE);
});
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const compose = (...args: string[]) => server.sh(`docker compose -f docker-compose.yml ${args.join(' ')}`, { cwd: deployDir });

const context = (): ModuleContext => {
  const transport = server.transport();
  return createModuleContext({
    hostname: 'gpu1',
    transport,
    facts: createFactStore(transport).reader(undefined),
    check: false,
    diff: false,
    env: {},
    vars: {},
    templateDirs: [],
    fileDirs: [],
  });
};

describe('consensus key', () => {
  it('is absent until tmkms starts, then read back as the public key the node reports', async () => {
    const ctx = context();
    expect(await readConsensusKey(ctx, deployDir)).toBeUndefined();
    expect(await publishConsensusKey(ctx, deployDir, 0)).toMatchObject({ failed: true, msg: expect.stringContaining('start tmkms first') });

    const up = await compose('up', '-d', 'tmkms');
    expect(up.code, up.stderr).toBe(0);
    const ps = await compose('ps', '--format', 'json');
    expect(
      ps.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { Service: string }).Service),
    ).toEqual(['tmkms']);

    const seed = (await readFile(server.path(`${deployDir}/.tmkms/secrets/priv_validator_key.softsign`), 'utf8')).trim();
    const key = await readConsensusKey(ctx, deployDir);
    expect(key).toBe(ed25519PublicKey(Buffer.from(seed, 'base64')).toString('base64'));
    const published = await publishConsensusKey(ctx, deployDir, 0);
    expect(published).toEqual({ changed: false, msg: `consensus key ${key}`, ansible_facts: { consensus_key: key } });
    expect(JSON.stringify(published)).not.toContain(seed);
  });
});
