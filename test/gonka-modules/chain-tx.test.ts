import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainTxModule } from '../../lib/gonka/modules/chain-tx.js';
import { fundAccount } from '../../sim/gonka/network-state.mjs';
import { runModule } from '../../lib/modules/run-module.js';
import { eventually } from '../helpers/eventually.js';
import { countingTransport } from '../modules/helpers.js';
import { DEPLOY, gonkaHost, PASSWORD, PROJECT, type GonkaHost } from './gonka-host.js';

const API = { ...PROJECT, service: 'api' };
const COLD_HOME = '/root/.inference';

interface Grants {
  grants: { granter: string; grantee: string }[];
}

const grantsOnChain = async (h: GonkaHost): Promise<Grants['grants']> =>
  (JSON.parse(await readFile(join(h.host.gonkaStateDir, 'gonka-network.json'), 'utf8').catch(() => '{}')) as Partial<Grants>).grants ?? [];

const address = (keysAddOutput: string): string => /address: (gonka1\w+)/.exec(keysAddOutput)![1];

describe('chain_tx on a simulated network node', () => {
  let h: GonkaHost;
  let cold: string;
  let warm: string;
  // the grant as the register role sends it: the cold key grants the warm key, skipped once the grant is on chain
  const grant = (extra: Record<string, unknown> = {}) => ({
    tx: ['inference', 'grant-ml-ops-permissions', 'cold', warm],
    description: `grant ML operational permissions to ${warm} from cold`,
    from: 'cold',
    inferenced: API,
    node: 'http://node:26657',
    chain_id: 'gonka-mainnet',
    keyring_password: PASSWORD,
    done_when: { query: ['authz', 'grants-by-granter', cold], contains: warm },
    verify: { query: ['authz', 'grants-by-granter', cold], contains: warm },
    ...extra,
  });

  beforeAll(async () => {
    h = await gonkaHost({ inferenced: true });
    const up = await h.compose('up -d tmkms node api');
    if (up.code !== 0) throw new Error(up.stderr);
    await eventually(
      () => fetch(h.url(26657, '/status')).then((r) => r.status),
      (s) => s === 200,
      'the node RPC',
    );
    const add = (name: string, stdin: string) =>
      h.host.sh(`set -a; . ./config.env; set +a; docker compose -f docker-compose.yml exec -T api inferenced keys add ${name} --keyring-backend file`, {
        cwd: DEPLOY,
        stdin,
      });
    cold = address((await add('cold', `${PASSWORD}\n${PASSWORD}\n`)).stdout);
    warm = address((await add('warm', `${PASSWORD}\n`)).stdout);
    // since v0.2.16 the cold account pays the fees: the chain does not know an account nobody funded
    fundAccount(h.host.gonkaStateDir, cold, { spendable: 10_000_000_000 });
  });
  afterAll(() => h?.cleanup());

  it('check mode says what it would send and sends nothing', async () => {
    const res = await runModule(chainTxModule, grant(), h.context({ check: true }));
    expect(res).toMatchObject({ changed: true, msg: `would grant ML operational permissions to ${warm} from cold` });
    expect(await grantsOnChain(h)).toEqual([]);
  });

  it('signs in the api container with the password on stdin, verifies on chain; a second run sends nothing, in one command', async () => {
    const first = await runModule(chainTxModule, grant(), h.context());
    expect(first).toMatchObject({
      changed: true,
      msg: expect.stringMatching(new RegExp(`^grant ML operational permissions to ${warm} from cold: on chain \\([0-9A-F]+\\)$`)),
    });
    // one grant per ML operational message, as upstream's grant-ml-ops-permissions creates them: all from cold to warm
    const grants = await grantsOnChain(h);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants.filter((g) => g.granter !== cold || g.grantee !== warm)).toEqual([]);
    const argv = await readFile(join(h.host.gonkaStateDir, 'inferenced-argv.log'), 'utf8');
    expect(argv).not.toContain(PASSWORD);
    const transport = countingTransport(h.host.transport());
    const second = await runModule(chainTxModule, grant(), h.context({ transport }));
    expect(second).toMatchObject({ changed: false, msg: `already on chain: grant ML operational permissions to ${warm} from cold` });
    expect(transport.scripts).toHaveLength(1);
  });

  it('a refused transaction fails with its code and the chain’s reason', async () => {
    const res = await runModule(
      chainTxModule,
      { tx: ['slashing', 'unjail'], from: 'cold', inferenced: API, node: 'http://node:26657', chain_id: 'gonka-mainnet', keyring_password: PASSWORD },
      h.context(),
    );
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/^tx slashing unjail was refused \(code 5\): .*validator not jailed; cannot be unjailed/s);
  });

  it('a verify query that never holds fails the task after verify_timeout, naming the query', async () => {
    const res = await runModule(
      chainTxModule,
      grant({ done_when: undefined, verify: { query: ['authz', 'grants-by-granter', cold], contains: 'never-there' }, verify_timeout: 1, verify_interval: 1 }),
      h.context(),
    );
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/^sent tx inference grant-ml-ops-permissions \([0-9A-F]+\), but authz grants-by-granter gonka1\w+ does not show it after 1 s$/);
  });

  it('signs on a cold signer (inferenced with its own home), where the key lives', async () => {
    const add = await h.host.sh(`inferenced keys add operator-cold --keyring-backend file --home ${COLD_HOME}`, { stdin: `${PASSWORD}\n${PASSWORD}\n` });
    expect(add.code, add.stderr).toBe(0);
    const signer = address(add.stdout);
    fundAccount(h.host.gonkaStateDir, signer, { spendable: 10_000_000_000 });
    const args = grant({
      tx: ['inference', 'grant-ml-ops-permissions', 'operator-cold', warm],
      description: undefined,
      from: 'operator-cold',
      inferenced: { home: COLD_HOME },
      node: 'http://localhost:26657',
      done_when: { query: ['authz', 'grants-by-granter', signer], contains: warm },
      verify: { query: ['authz', 'grants-by-granter', signer], contains: warm },
    });
    const res = await runModule(chainTxModule, args, h.context());
    expect(res).toMatchObject({ changed: true, msg: expect.stringMatching(/^inference grant-ml-ops-permissions from operator-cold: on chain/) });
    expect(await grantsOnChain(h)).toContainEqual(expect.objectContaining({ granter: signer, grantee: warm }));
    expect((await runModule(chainTxModule, args, h.context())).changed).toBe(false);
  });
});
