import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusCommand } from '../../../lib/cli/status-command.js';
import { accountAddress } from '../../../lib/gonka/account-address.js';
import type { Check } from '../../../lib/day2/status-checks.js';
import { accountAddress as simAddress } from '../../../sim/gonka/keys.mjs';
import { createSimNode, type SimNode } from './sim-node.js';
import { eventually } from '../../helpers/eventually.js';

interface JsonStatus {
  hosts: { host: string; level: string; checks: Check[] }[];
}

let node: SimNode;
let out: string;
beforeAll(async () => {
  node = await createSimNode({
    scenario: { blocksPerSecond: 20, epoch: { length: 40, pocGenerationBlocks: 4, windDownBlocks: 1, pocValidationDelayBlocks: 1, pocValidationEndBlocks: 8 } },
  });
  out = await mkdtemp(join(tmpdir(), 'nop-status-out-'));
});
afterAll(async () => {
  await node?.cleanup();
  await rm(out, { recursive: true, force: true });
});

const address = () => accountAddress(parse(readFileSync(node.inventory, 'utf8')).all.hosts.gpu1.account_pubkey as string);

const status = async (extra: { prometheus?: string } = {}) => {
  let text = '';
  const code = await statusCommand({ inventory: [node.inventory], json: true, out: (t) => (text += t), ...extra });
  const checks = (JSON.parse(text) as JsonStatus).hosts[0].checks;
  const level = (id: string) => checks.find((c) => c.id === id)?.level;
  return { code, checks, level, text };
};

it('derives the same account address as the chain', () => {
  const key = 'A0n7QWZp1K6pS3YfQW0mO8yV8Q3kx8rO3Qj0b1q2c3d4';
  expect(accountAddress(key)).toBe(simAddress(key));
});

describe('nop status on a simulated node', () => {
  it('healthy: no FAIL, exit 0, the node joins the epoch with weight and timeslots; prometheus file written', async () => {
    const prom = join(out, 'gonka.prom');
    const s = await eventually(
      () => status({ prometheus: prom }),
      (r) => r.level('weight') === 'OK' && r.code === 0,
      'a healthy node in the epoch',
    );
    expect(s.checks.filter((c) => c.level === 'FAIL')).toEqual([]);
    // blocks behind is compared across two requests on a fast simulated chain: only its FAIL-free-ness is asserted
    for (const id of [
      'containers',
      'last_block_age',
      'peers',
      'jailed',
      'miss_rate',
      'internal_ports',
      'config_env_mode',
      'driver',
      'driver_held',
      'gpus',
      'disk_deploy',
    ]) {
      expect(s.level(id), id).toBe('OK');
    }
    const ml = s.checks.find((c) => c.id.startsWith('ml_node:'));
    expect(ml?.value).toMatch(/PoC weight 100, timeslots 10/);
    const text = await readFile(prom, 'utf8');
    expect(text).toContain('# TYPE nop_gonka_status gauge');
    expect(text).toMatch(/nop_gonka_status\{host="gpu1"\} [01]\n/);
    expect(text).toContain('nop_gonka_check{host="gpu1",check="miss_rate"} 0');
    expect(text).toContain('nop_gonka_peers{host="gpu1"} 8');
    expect(text).toContain('nop_gonka_jailed{host="gpu1"} 0');
    expect(text).toMatch(/nop_gonka_block_height\{host="gpu1"\} \d+/);
  });

  it('the text view has one row per host and every check with its threshold', async () => {
    let text = '';
    const code = await statusCommand({ inventory: [node.inventory], out: (t) => (text += t) });
    expect(code).toBe(0);
    expect(text).toMatch(/^HOST\s+STATUS\s+HEIGHT/);
    expect(text).toMatch(/\ngpu1\s+(OK|WARN)\s+\d+/);
    expect(text).toContain('miss rate: 0.0 %');
    expect(text).toContain('≥ 20 % → FAIL (risk of jailing)');
  });

  it('broken: jailed, high miss rate, a public admin port, config.env 0644, a FAILED ML node → FAILs and exit 2', async () => {
    const compose = join(node.deployDir, 'docker-compose.yml');
    await writeFile(compose, (await readFile(compose, 'utf8')).replace('"127.0.0.1:9200:9200"', '"9200:9200"'));
    const up = await node.sh('set -a; . ./config.env; docker compose -f docker-compose.yml up -d api');
    expect(up.code, up.stderr).toBe(0);
    await chmod(join(node.deployDir, 'config.env'), 0o644);
    const nodeId = (JSON.parse(await readFile(join(node.deployDir, 'node-config.json'), 'utf8')) as { id: string }[])[0].id;
    node.scenario({ jailed: true, failedNodes: { [nodeId]: 'CUDA out of memory' } });
    node.knobs({ missedRequests: 300, inferenceCount: 700, peers: 0 });
    const prom = join(out, 'broken.prom');
    const s = await status({ prometheus: prom });
    expect(s.code).toBe(2);
    expect(s.level('jailed')).toBe('FAIL');
    expect(s.level('miss_rate')).toBe('FAIL');
    expect(s.checks.find((c) => c.id === 'miss_rate')?.value).toBe('30.0 % (300/1000)');
    expect(s.level('peers')).toBe('FAIL');
    expect(s.level('internal_ports')).toBe('FAIL');
    expect(s.checks.find((c) => c.id === 'internal_ports')?.value).toContain('0.0.0.0:9200');
    expect(s.level('config_env_mode')).toBe('FAIL');
    expect(s.checks.find((c) => c.id === `ml_node:${nodeId}`)).toMatchObject({ level: 'FAIL', value: expect.stringContaining('FAILED') });
    const text = await readFile(prom, 'utf8');
    expect(text).toContain('nop_gonka_status{host="gpu1"} 2');
    expect(text).toContain('nop_gonka_jailed{host="gpu1"} 1');
    expect(text).toContain('nop_gonka_miss_rate{host="gpu1"} 0.3');
    expect(text).toContain('nop_gonka_check{host="gpu1",check="config_env_mode"} 2');
  });

  it('a miss rate between 10 and 20 % is a WARN, not a FAIL', async () => {
    node.knobs({ missedRequests: 150, inferenceCount: 850 });
    expect((await status()).level('miss_rate')).toBe('WARN');
  });

  it("jailing and miss counts come from the node container's inferenced CLI, in cosmos JSON", async () => {
    const log = await readFile(join(node.stateDir, 'inferenced-argv.log'), 'utf8');
    const queries = log
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as string[]).join(' '));
    expect(queries).toContain(`query staking delegator-validators ${address()} -o json --node tcp://localhost:26657`);
    expect(queries).toContain(`query inference show-participant ${address()} -o json --node tcp://localhost:26657`);
    const cli = (who: string) =>
      node.sh(`set -a; . ./config.env; docker compose -f docker-compose.yml exec -T node inferenced query inference show-participant ${who} -o json`);
    const shown = await cli(address());
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      participant: { index: address(), current_epoch_stats: { inference_count: '850', missed_requests: '150' } },
    });
    const unknown = await cli(simAddress('A0n7QWZp1K6pS3YfQW0mO8yV8Q3kx8rO3Qj0b1q2c3d4'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('rpc error: code = NotFound desc = not found');
  });

  it('says when a Confirmation PoC runs in the Inference phase (no restart then)', async () => {
    // one per 40-block epoch, blocks 10 to 29 after its PoC start, clear of the 10 blocks before the next PoC
    node.scenario({
      epoch: { confirmationPocSafetyWindow: 10 },
      confirmationPoc: { startOffset: 10, graceBlocks: 0, generationBlocks: 10, validationBlocks: 10 },
    });
    try {
      const s = await eventually(
        () => status(),
        (r) => String(r.checks.find((c) => c.id === 'epoch')?.value).includes('Confirmation PoC running'),
        'a status taken during the Confirmation PoC',
      );
      expect(s.checks.find((c) => c.id === 'epoch')?.value).toMatch(/^\d+, phase Inference, Confirmation PoC running, \d+ blocks to next PoC$/);
    } finally {
      node.scenario({ confirmationPoc: null });
    }
  });

  it('with the node container stopped, jailed and miss rate are WARN "unknown" with the reason, not OK', async () => {
    const stop = await node.sh('set -a; . ./config.env; docker compose -f docker-compose.yml stop node');
    expect(stop.code, stop.stderr).toBe(0);
    const s = await status();
    expect(s.checks.find((c) => c.id === 'jailed')).toMatchObject({ level: 'WARN', value: expect.stringContaining('query staking delegator-validators:') });
    expect(s.checks.find((c) => c.id === 'miss_rate')).toMatchObject({ level: 'WARN', value: expect.stringContaining('query inference show-participant:') });
  });
});
