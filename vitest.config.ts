import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/setup/longest-first.js';

/**
 * The unit tier (`npm run test:unit`, under 30 s): test files that need no sshd, no simulated host, no Gonka
 * simulator and no build. A new test file that needs none of them belongs in this list; everything else is the
 * integration tier. `npm test` runs both.
 */
const UNIT = [
  'test/template/**/*.test.ts',
  'test/net/**/*.test.ts',
  'test/report/**/*.test.ts',
  'test/settings/**/*.test.ts',
  'test/progress/**/*.test.ts',
  'test/inventory/**/*.test.ts',
  'test/modules/**/*.test.ts',
  'test/runner/**/*.test.ts',
  'test/roles/preflight/cpu-check.test.ts',
  'test/facts/fact-store.test.ts',
  'test/facts/ansible-facts.test.ts',
  'test/facts/batched-unit-rule-facts.test.ts',
  'test/conformance/inventories.test.ts',
  'test/facts/odd-paths.test.ts',
  'test/facts/probe-processes.test.ts',
  'test/facts/identity.test.ts',
  'test/facts/file-probe.test.ts',
  'test/gpu/parsers.test.ts',
  'test/gpu/recommend-rules.test.ts',
  'test/gpu/layout-precondition.test.ts',
  'test/transport/atomic-write.test.ts',
  'test/transport/known-hosts.test.ts',
  'test/transport/identity-store.test.ts',
  'test/transport/local.test.ts',
  'test/transport/op-batch.test.ts',
  'test/transport/ssh-config.test.ts',
  'test/config/versions-command.test.ts',
  'test/gonka-sim/sim-units.test.ts',
  'test/gonka-sim/json-file-lock.test.ts',
  'test/gonka-sim/rewards.test.ts',
  'test/gonka/compose-command.test.ts',
  'test/gonka/upstream-diff.test.ts',
  'test/day2/status/status-checks.test.ts',
  'test/day2/procedures/procedures-logic.test.ts',
  'test/day2/procedures/rewards-logic.test.ts',
  'test/gonka/chain-fees.test.ts',
  'test/gonka/stack-move-plan.test.ts',
  'test/gonka/safe-window.test.ts',
  'test/gonka/model-catalog.test.ts',
  'test/day2/procedures-a/units.test.ts',
  'test/day2/procedures-d/units.test.ts',
  'test/day2/procedures-e/units.test.ts',
  'test/gonka/catalog-node-config.test.ts',
  'test/gonka/poc-participation.test.ts',
  'test/sim-host/clock.test.ts',
  'test/gonka-sim/port-offset.test.ts',
  'test/sim-host/product-boundary.test.ts',
  'test/transport/exec-timeout-clock.test.ts',
  'test/day2/procedures-f/units.test.ts',
  'test/cli/interpret-schemas.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the integration tier mostly waits (on sshd sessions, simulated hosts, the simulated chain's polls): at two
    // workers a full run kept 1.1 of this machine's 2 cores busy (user+sys over wall), so four files run at once
    maxWorkers: 4,
    // a fresh clone starts the longest integration files first (test/setup/longest-first.ts)
    sequence: { sequencer: LongestFirst },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, isolate: false } },
      // hang guards only (a test waits for conditions): a loaded machine is slow, never wrong. Not isolated: a
      // worker imports nop and the simulator once, not once per file (about half a second of CPU a file); no test
      // mocks modules, and the helpers' process-wide state (sshd daemons, sandboxes, port offsets) is built for it
      {
        extends: true,
        test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: UNIT, isolate: false, testTimeout: 900_000, hookTimeout: 900_000 },
      },
    ],
  },
});
