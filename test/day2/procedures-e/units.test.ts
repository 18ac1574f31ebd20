// Issue 13 items 7 and 10: the planning and parsing logic of recover-keys and upgrade-prestage, without a host.
import { describe, expect, it } from 'vitest';
import { chooseUpgrade, planBinaries, releaseNeedsAdx, releaseOf, splitChecksum, upgradeProposals } from '../../../lib/gonka/upgrade-plan.js';
import { GRANT_GAS, lostKeys, recoveryCost, SUBMIT_GAS } from '../../../roles/recover-keys/lost-keys.js';

import { cpuVerdictFor } from '../../../roles/upgrade-prestage/cpu.js';
import { proposalJson } from '../../../sim/gonka/governance.mjs';

const ZIP = 'a'.repeat(64);
const API_ZIP = 'b'.repeat(64);
const REL = 'https://github.com/gonka-ai/gonka/releases/download/release%2Fv0.2.16-post1';
const INFO = JSON.stringify({
  binaries: { 'linux/amd64': `${REL}/inferenced-amd64.zip?checksum=sha256:${ZIP}` },
  api_binaries: { 'linux/amd64': `${REL}/decentralized-api-amd64.zip?checksum=sha256:${API_ZIP.toUpperCase()}` },
});
const PLAN = { name: 'v0.2.16', height: 6449400, info: INFO };
const SUMS = { inferenced: 'c'.repeat(64), 'decentralized-api': 'd'.repeat(64) };
const opts = { deployDir: '/opt/gonka/deploy/join', platform: 'linux/amd64', binarySha256: SUMS };

describe('upgrade plan: the binaries a plan names (reference §16, gonka-interfaces §4)', () => {
  it('both binaries, their zip sums from the plan, the binary sums given, into upgrades/<plan name>/bin', () => {
    const res = planBinaries(PLAN, opts);
    expect(res).toEqual({
      binaries: [
        {
          binary: 'inferenced',
          url: `${REL}/inferenced-amd64.zip`,
          zip_sha256: ZIP,
          binary_sha256: SUMS.inferenced,
          dir: '/opt/gonka/deploy/join/.inference/cosmovisor/upgrades/v0.2.16/bin',
          release: 'v0.2.16-post1',
        },
        {
          binary: 'decentralized-api',
          url: `${REL}/decentralized-api-amd64.zip`,
          zip_sha256: API_ZIP,
          binary_sha256: SUMS['decentralized-api'],
          dir: '/opt/gonka/deploy/join/.dapi/cosmovisor/upgrades/v0.2.16/bin',
          release: 'v0.2.16-post1',
        },
      ],
    });
  });

  it('refuses a binary without a zip checksum, a missing binary sum, a missing api binary, and says each', () => {
    const info = JSON.stringify({ binaries: { 'linux/amd64': `${REL}/inferenced-amd64.zip` } });
    const res = planBinaries({ ...PLAN, info }, { ...opts, binarySha256: { inferenced: SUMS.inferenced } });
    expect('errors' in res && res.errors).toEqual([
      expect.stringMatching(/inferenced: .*carries no \?checksum=sha256/),
      'upgrade v0.2.16 names no linux/amd64 decentralized-api (info.api_binaries)',
    ]);
    const noSum = planBinaries(PLAN, { ...opts, binarySha256: { inferenced: SUMS.inferenced } });
    expect('errors' in noSum && noSum.errors).toEqual([expect.stringContaining('set upgrade_binary_sha256.decentralized-api')]);
  });

  it('refuses a plan name that is not a plain directory name, info that is not JSON, a URL that is not http(s)', () => {
    expect(planBinaries({ ...PLAN, name: '../../bin' }, opts)).toEqual({ errors: [expect.stringContaining('not a plain directory name')] });
    expect(planBinaries({ ...PLAN, info: 'see the announcement' }, opts)).toEqual({ errors: [expect.stringContaining('its info is not JSON')] });
    expect(splitChecksum(`file:///etc/passwd?checksum=sha256:${ZIP}`)).toEqual({ error: expect.stringContaining('only http(s)') });
  });

  it('reads the release tag from a release URL', () => {
    expect(releaseOf(`${REL}/inferenced-amd64.zip`)).toBe('v0.2.16-post1');
    expect(releaseOf('https://github.com/product-science/race-releases/releases/download/release/v0.2.15-post3/x.zip')).toBe('v0.2.15-post3');
    expect(releaseOf('https://example.com/inferenced.zip')).toBeUndefined();
  });
});

describe('upgrade plan: ADX (reference §16: SIGILL on non-ADX CPUs from v0.2.16-post1)', () => {
  it('v0.2.16-post1 and later need it, earlier do not, an unnamed release is assumed to', () => {
    expect(releaseNeedsAdx('v0.2.16-post1')).toBe(true);
    expect(releaseNeedsAdx('v0.2.17')).toBe(true);
    expect(releaseNeedsAdx('v0.3.0')).toBe(true);
    expect(releaseNeedsAdx('v0.2.16')).toBe(false);
    expect(releaseNeedsAdx('v0.2.15-post5')).toBe(false);
    expect(releaseNeedsAdx(undefined)).toBe(true);
  });

  const bins = [{ binary: 'inferenced' as const, release: 'v0.2.16-post1' }];
  it('refuses a CPU without ADX, naming the variable that allows it; passes one with ADX', () => {
    const no = cpuVerdictFor(bins, ['fpu', 'sse2', 'avx2'], false);
    expect(no.ok).toBe(false);
    expect(no.msg).toMatch(/lacks ADX.*inferenced v0\.2\.16-post1.*SIGILL.*upgrade_allow_cpu_without_adx: true/);
    expect(cpuVerdictFor(bins, ['fpu', 'adx'], false).ok).toBe(true);
    expect(cpuVerdictFor(bins, ['fpu'], true)).toEqual({ ok: true, msg: expect.stringContaining('allowed by upgrade_allow_cpu_without_adx') });
    expect(cpuVerdictFor([{ binary: 'inferenced', release: 'v0.2.15' }], ['fpu'], false).ok).toBe(true);
  });
});

describe('upgrade plan: which upgrade (an approved proposal, or -e upgrade=NAME)', () => {
  const scenario = { networkHeight: 1000, blocksPerSecond: 1, anchoredAt: 0 };
  const net = { votes: [], participants: {} };
  // the simulator's proposals, printed as `query gov proposals -o json` prints them
  const proposals = (list: Record<string, unknown>[]) => ({ proposals: list.map((p) => proposalJson(net, scenario, 0, p)) });
  const passed = (id: number, name: string, height: number) => ({
    id,
    title: `Upgrade ${name}`,
    votingEndHeight: 10,
    tally: { yes: 10 },
    plan: { name, height, info: INFO },
  });

  it('finds MsgSoftwareUpgrade plans in the proposals, with their status', () => {
    const list = upgradeProposals(
      proposals([passed(7, 'v0.2.16', 5000), { id: 8, title: 'text', votingEndHeight: 10 }, { ...passed(9, 'v0.2.17', 9000), votingEndHeight: 5000 }]),
    );
    expect(list.map((p) => [p.id, p.status, p.plan.name, p.plan.height])).toEqual([
      ['7', 'passed', 'v0.2.16', 5000],
      ['9', 'voting_period', 'v0.2.17', 9000],
    ]);
    expect(list[0].plan.info).toBe(INFO);
  });

  it('without a name: the passed upgrade nearest ahead of the chain; none ahead: nothing to do', () => {
    const list = upgradeProposals(proposals([passed(3, 'v0.2.15', 500), passed(7, 'v0.2.16', 5000), passed(9, 'v0.2.17', 9000)]));
    expect(chooseUpgrade(list, { height: 1000 })).toMatchObject({ proposal: { id: '7' } });
    expect(chooseUpgrade(list, { height: 9000 })).toEqual({ none: 'no approved upgrade ahead of height 9000: nothing to pre-stage' });
  });

  it('a named upgrade must exist, have passed and be ahead', () => {
    const list = upgradeProposals(
      proposals([passed(3, 'v0.2.15', 500), { ...passed(9, 'v0.2.17', 9000), votingEndHeight: 5000 }, { ...passed(4, 'v0.2.99', 9000), tally: { no: 10 } }]),
    );
    expect(chooseUpgrade(list, { wanted: 'v0.3.0', height: 1000 })).toEqual({ refuse: 'no governance proposal schedules an upgrade named v0.3.0' });
    expect(chooseUpgrade(list, { wanted: 'v0.2.17', height: 1000 })).toEqual({ refuse: 'upgrade v0.2.17 is not approved: proposal 9 is voting period' });
    expect(chooseUpgrade(list, { wanted: 'v0.2.99', height: 1000 })).toEqual({ refuse: 'upgrade v0.2.99 is not approved: proposal 4 is rejected' });
    expect(chooseUpgrade(list, { wanted: 'v0.2.15', height: 1000 })).toEqual({ none: expect.stringContaining('it already ran') });
  });
});

describe('recover-keys: which key is lost (reference §7)', () => {
  const warm = { name: 'gpu1-warm', present: true, address: 'gonka1warm' };
  const cold = { name: 'gpu1-cold', present: true };
  const K = `${'A'.repeat(43)}=`;
  const K2 = `${'B'.repeat(43)}=`;

  it('nothing lost: refused, saying what was checked', () => {
    const v = lostKeys({ warm, cold, tmkmsKey: K, chainKey: K });
    expect(v).toEqual({
      verdict: 'refuse',
      reason: 'nothing is lost: the warm key is in the keyring and the consensus key on chain is the one tmkms holds; nothing to recover',
      lines: ["warm key 'gpu1-warm' (gonka1warm) is in the api keyring", `the consensus key on chain is the one tmkms holds (${K})`],
    });
  });

  it('a warm key missing from the keyring is lost (7a)', () => {
    const v = lostKeys({ warm: { name: 'gpu1-warm', present: false }, cold, tmkmsKey: K, chainKey: K });
    expect(v).toMatchObject({ verdict: 'recover', warm: true, consensus: '' });
    expect(v.lines[0]).toContain('missing from the api keyring: recreate it and re-grant ML permissions from the cold key');
  });

  it('no tmkms key: lost; a tmkms key the chain does not hold: reset (7b)', () => {
    expect(lostKeys({ warm, cold, tmkmsKey: undefined, chainKey: K })).toMatchObject({ verdict: 'recover', warm: false, consensus: 'lost' });
    const reset = lostKeys({ warm, cold, tmkmsKey: K2, chainKey: K });
    expect(reset).toMatchObject({ verdict: 'recover', warm: false, consensus: 'reset' });
    expect(reset.lines[1]).toBe(`tmkms signs with ${K2}, the chain knows ${K}: register tmkms's key (reference §7b)`);
  });

  it('both lost at once', () => {
    expect(lostKeys({ warm: { ...warm, present: false }, cold, tmkmsKey: undefined, chainKey: K })).toMatchObject({ warm: true, consensus: 'lost' });
  });

  it('quick workflow: a keyring that lost the cold key too cannot grant: refused, naming the recovery', () => {
    const v = lostKeys({ warm: { ...warm, present: false }, cold: { ...cold, present: false }, tmkmsKey: K, chainKey: K });
    expect(v.verdict).toBe('refuse');
    expect('reason' in v && v.reason).toContain('inferenced keys add gpu1-cold --recover');
  });

  it('the cold account pays the grant (and a reserve for the warm key) and/or the registration', () => {
    const reserve = 1_000_000_000;
    expect(recoveryCost({ recover_warm_lost: true, recover_consensus: '', recover_fee_reserve_ngonka: reserve })).toEqual({ gas: GRANT_GAS, extra: reserve });
    expect(recoveryCost({ recover_warm_lost: false, recover_consensus: 'reset', recover_fee_reserve_ngonka: reserve })).toEqual({ gas: SUBMIT_GAS, extra: 0 });
    expect(recoveryCost({ recover_warm_lost: true, recover_consensus: 'lost', recover_fee_reserve_ngonka: reserve }).gas).toBe(GRANT_GAS + SUBMIT_GAS);
  });
});
