import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { PROFILES_DIR } from '../../sim/host/paths.js';
import { createFleet, PASSWORD, seedOverrides, snapshotTree, type Fleet } from './sim-fleet.js';

// issue 14 item 4: setup.yml over a fleet with a problem on each host. Every problem is found before the first change
// and listed together; no host is changed. A network node without private_ip (its ML nodes are other servers), an
// ML server without a GPU, one with too small a disk. The network node is also a VM on QEMU's default CPU model: no ADX,
// which the chain's upgrade binaries need.
let fleet: Fleet;
// what a Linux guest on `-cpu qemu64` lists: x86-64 with SSE3, no ADX/AVX/BMI
const QEMU64_FLAGS =
  'fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm rep_good nopl xtopology cpuid tsc_known_freq pni cx16 x2apic hypervisor lahf_lm svm 3dnowprefetch vmmcall'.split(
    ' ',
  );
const HOSTS = ['net1', 'ml1', 'ml2'];
beforeAll(async () => {
  const noGpu = YAML.parse(await readFile(join(PROFILES_DIR, 'no-gpu.yaml'), 'utf8'));
  fleet = await createFleet([
    { name: 'net1', profile: { ...noGpu, cpu_flags: QEMU64_FLAGS }, address: '127.0.0.1' },
    { name: 'ml1', profile: 'no-gpu', address: '127.0.0.1' },
    { name: 'ml2', profile: 'low-disk', address: '127.0.0.1' },
  ]);
  const s = fleet.servers;
  await fleet.writeInventory({
    all: {
      vars: {
        key_workflow: 'quick',
        poc_participation: 'refuse',
        keyring_password: PASSWORD,
        gonka_network: 'mainnet',
        gonka_network_overrides: seedOverrides(fleet.offset),
      },
      hosts: {
        net1: { ...s.net1.vars, public_ip: '127.0.0.1', allow_private_public_ip: true },
        ml1: { ...s.ml1.vars, private_ip: '127.0.0.1', network_node: 'net1' },
        ml2: { ...s.ml2.vars, private_ip: '127.0.0.1', network_node: 'net1' },
      },
      children: { network_nodes: { hosts: { net1: null } }, ml_nodes: { hosts: { ml1: null, ml2: null } } },
    },
  });
});
afterAll(() => fleet?.cleanup());

const snapshots = async () => Object.fromEntries(await Promise.all(HOSTS.map(async (h) => [h, await snapshotTree(fleet.servers[h].host.dir)])));

type Run = Awaited<ReturnType<Fleet['run']>>;
const problems = (run: Run) => run.results.filter((r) => r.status === 'failed').map((r) => `${r.host}: ${r.task}: ${String(r.result.msg)}`);
const plays = (run: Run) => run.events.flatMap((e) => (e.type === 'play_start' ? [e.name] : []));

const EXPECTED = {
  cpu: /^net1: preflight : CPU features for the chain binaries: the CPU lacks ADX .*SIGILL.*next upgrade height.*host-passthrough.*preflight_allow_cpu_without_adx: true/,
  net1: /^net1: config : variables: role 'config': variable 'private_ip': is required on a network node whose ML nodes are other servers/,
  ml1: /^ml1: nvidia : NVIDIA GPU present: no NVIDIA GPU on the PCI bus/,
  // the low-disk profile's driver 570 is older than the sized model's image needs (gpu-detect's precondition)
  ml2driver: /^ml2: gpu-detect : The ML node layout fits the GPUs: .* needs NVIDIA driver 575 or newer .*the host runs 570/,
  ml2: /^ml2: preflight : Free disk space for the deploy dir and HF_HOME: only 120 GB free on \/ .*mainnet needs at least 250 GB free/,
};

describe('setup.yml checks every host before changing any', () => {
  it('lists every problem of every host together, exits 2, and no host changed', async () => {
    const before = await snapshots();
    const run = await fleet.run();
    expect(run.code, run.output).toBe(2);
    expect(plays(run)).toEqual(['Check before changing anything']);
    expect(problems(run)).toEqual([
      expect.stringMatching(EXPECTED.net1),
      expect.stringMatching(EXPECTED.cpu),
      expect.stringMatching(EXPECTED.ml1),
      expect.stringMatching(EXPECTED.ml2),
      expect.stringMatching(EXPECTED.ml2driver),
    ]);
    expect(run.output).not.toContain(PASSWORD);
    for (const h of HOSTS) expect(run.stats[h], h).toMatchObject({ changed: 0, failed: 1 });
    expect(await snapshots()).toEqual(before);
  });

  it('check mode stops the same way; preflight_min_free_gb lowers the disk minimum, preflight_allow_cpu_without_adx allows the CPU', async () => {
    const before = await snapshots();
    const checked = await fleet.run({ check: true, extraVars: { preflight_min_free_gb: 100, preflight_allow_cpu_without_adx: 'yes' } });
    expect(checked.code, checked.output).toBe(2);
    expect(plays(checked)).toEqual(['Check before changing anything']);
    expect(problems(checked)).toEqual([expect.stringMatching(EXPECTED.net1), expect.stringMatching(EXPECTED.ml1), expect.stringMatching(EXPECTED.ml2driver)]);
    expect(await snapshots()).toEqual(before);
  });
});
