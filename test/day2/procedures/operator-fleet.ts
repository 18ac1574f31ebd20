// Two full Gonka servers (test/day2/update/sim-fleet.ts), each its own simulated chain, reached over real sshd,
// registered as participants with a cold key in the api container's keyring (the quick workflow) and a funded cold
// account: the fleet every day-2 procedure of this directory runs on.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_CHAIN, EDITION_1_CHAIN, fundAccount } from '../../../sim/gonka.js';
import { createFleet, DEPLOY, getJson, type Fleet, type FleetHost } from '../update/sim-fleet.js';

export const KEYRING_PASSWORD = 'correct-horse-battery-staple';
/** spendable ngonka each cold account starts with (10 GNK) */
export const FUNDS = 10_000_000_000;

export interface OperatorHost extends FleetHost {
  /** the cold account's address */
  address: string;
  coldKey: string;
}

export interface OperatorFleet extends Fleet {
  operators: OperatorHost[];
  inventory: string;
}

export const inDeploy = (script: string) => `cd ${DEPLOY} && set -a && . ./config.env && set +a && ${script}`;

/** A key added in the api container's keyring (the quick workflow): its address and base64 public key. */
export const keyInApi = async (fleet: Fleet, h: FleetHost, name: string): Promise<{ address: string; pubkey: string }> => {
  const add = await fleet.sh(
    h,
    inDeploy(
      `printf '%s\\n%s\\n' ${KEYRING_PASSWORD} ${KEYRING_PASSWORD} | docker compose exec -T api inferenced keys add ${name} --keyring-backend file --output json`,
    ),
  );
  if (add.code !== 0) throw new Error(`keys add on ${h.name}: ${add.stderr}`);
  const record = JSON.parse(add.stdout.split('\n').find((l) => l.startsWith('{'))!) as { address: string; pubkey: string };
  return { address: record.address, pubkey: (JSON.parse(record.pubkey) as { key: string }).key };
};

/** The cold key registered as a participant with the host's own consensus key, its account funded with FUNDS. */
export const registerFundedParticipant = async (h: FleetHost, cold: { address: string; pubkey: string }): Promise<void> => {
  const status = await getJson(h.url(26657, '/status'));
  const reg = await fetch(h.url(8000, '/v1/participants'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pub_key: cold.pubkey, url: 'http://203.0.113.10:8000', validator_key: status.result.validator_info.pub_key.value }),
  });
  if (reg.status !== 200) throw new Error(`registration on ${h.name}: ${await reg.text()}`);
  fundAccount(h.stateDir, cold.address, { spendable: FUNDS });
};

export const createOperatorFleet = async (count: number): Promise<OperatorFleet> => {
  // the roles' first-edition models on a chain that charges v0.2.16's fees
  const fleet = await createFleet(count, { chain: { ...EDITION_1_CHAIN, fees: DEFAULT_CHAIN.fees } }, { ssh: true });
  try {
    const operators = await Promise.all(
      fleet.hosts.map(async (h): Promise<OperatorHost> => {
        const name = `${h.name}-cold`;
        const cold = { ...(await keyInApi(fleet, h, name)), name };
        await registerFundedParticipant(h, cold);
        h.vars = { ...h.vars, account_pubkey: cold.pubkey, cold_key_name: cold.name, keyring_password: KEYRING_PASSWORD };
        return { ...h, address: cold.address, coldKey: cold.name };
      }),
    );
    const inventory = join(fleet.dir, 'inventory.yml');
    const inv = parse(await readFile(inventory, 'utf8')) as { all: { hosts: Record<string, unknown> } };
    for (const o of operators) inv.all.hosts[o.name] = o.vars;
    await writeFile(inventory, stringify(inv));
    return { ...fleet, operators, inventory };
  } catch (err) {
    await fleet.cleanup();
    throw err;
  }
};
