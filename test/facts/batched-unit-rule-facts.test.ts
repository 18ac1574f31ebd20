import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iptablesRule, type IptablesRule } from '../../lib/facts/builtin/iptables-rule.js';
import { systemdUnit } from '../../lib/facts/builtin/systemd-unit.js';

const run = promisify(execFile);

// stand-ins for systemctl and iptables that note every start and print what the real tools print
let dir: string;
const LOG = () => join(dir, 'started');

const SYSTEMCTL = `#!/bin/sh
echo "systemctl $*" >> "$LOG"
[ "$1" = show ] || exit 1
shift 4
first=1
for u in "$@"; do
  [ $first = 1 ] || echo
  first=0
  case "$u" in
    docker) printf 'LoadState=loaded\\nActiveState=active\\nUnitFileState=enabled\\n' ;;
    sshd) printf 'LoadState=loaded\\nActiveState=active\\nUnitFileState=alias\\n' ;;
    idle) printf 'LoadState=loaded\\nActiveState=inactive\\nUnitFileState=disabled\\n' ;;
    *) printf 'LoadState=not-found\\nActiveState=inactive\\nUnitFileState=\\n' ;;
  esac
done
`;

const IPTABLES = `#!/bin/sh
echo "iptables $*" >> "$LOG"
case "$2" in
  -S) printf '%s\\n' '-P INPUT ACCEPT' '-N NOP-INTERNAL' '-A NOP-INTERNAL -s 10.1.2.3/32 -j RETURN' '-A NOP-INTERNAL -j DROP' '-A DOCKER-USER -p tcp -m conntrack --ctorigdstport 9100 --ctdir ORIGINAL -j NOP-INTERNAL' ;;
  -C) [ "$5" = 10.1.2.3 ] && exit 0; echo 'iptables: Bad rule (does a matching rule exist in that chain?).' >&2; exit 1 ;;
esac
`;

const starts = async () =>
  (await readFile(LOG(), 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(0, 3).join(' '));

const sh = async (script: string, path = `${dir}:/usr/bin:/bin`) => {
  await rm(LOG(), { force: true });
  // the batch takes a section's output whatever its exit status
  return run('/bin/sh', ['-c', script], { env: { PATH: path, LOG: LOG() } }).then(
    ({ stdout }) => ({ stdout, rc: 0 }),
    (e: { stdout: string; code: number }) => ({ stdout: e.stdout, rc: e.code }),
  );
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-batched-facts-'));
  await writeFile(join(dir, 'systemctl'), SYSTEMCTL);
  await writeFile(join(dir, 'iptables'), IPTABLES);
  await chmod(join(dir, 'systemctl'), 0o755);
  await chmod(join(dir, 'iptables'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('systemd_unit', () => {
  it('reads every unit with one systemctl, enabled as is-enabled would exit', async () => {
    const units = ['docker', 'sshd', 'idle', 'nope'];
    const values = systemdUnit.parse(await sh(systemdUnit.command(units)), units);
    expect(await starts()).toEqual(['systemctl show -p']);
    expect(values).toEqual([
      { LoadState: 'loaded', ActiveState: 'active', UnitFileState: 'enabled', enabled: true },
      { LoadState: 'loaded', ActiveState: 'active', UnitFileState: 'alias', enabled: true },
      { LoadState: 'loaded', ActiveState: 'inactive', UnitFileState: 'disabled', enabled: false },
      { LoadState: 'not-found', ActiveState: 'inactive', UnitFileState: '', enabled: false },
    ]);
  });

  it('gives empty states without systemd, as before', async () => {
    const values = systemdUnit.parse(await sh(systemdUnit.command(['docker']), '/nonexistent'), ['docker']);
    expect(values).toEqual([{ LoadState: '', ActiveState: '', UnitFileState: '', enabled: false }]);
  });
});

describe('iptables_rule', () => {
  const rules: IptablesRule[] = [
    { chain: 'NOP-INTERNAL', rule: ['-j', 'DROP'] },
    { chain: 'DOCKER-USER', rule: ['-p', 'tcp', '-m', 'conntrack', '--ctorigdstport', '9100', '--ctdir', 'ORIGINAL', '-j', 'NOP-INTERNAL'] },
  ];

  it('finds rules written as iptables lists them in one iptables -S', async () => {
    expect(iptablesRule.parse(await sh(iptablesRule.command(rules)), rules)).toEqual([true, true]);
    expect(await starts()).toEqual(['iptables -w -S']);
  });

  it('asks iptables -C only for a rule written in another form, or missing', async () => {
    const others: IptablesRule[] = [
      ...rules,
      { chain: 'NOP-INTERNAL', rule: ['-s', '10.1.2.3', '-j', 'RETURN'] },
      { chain: 'DOCKER-USER', rule: ['-p', 'tcp', '--dport', '22', '-j', 'DROP'] },
    ];
    expect(iptablesRule.parse(await sh(iptablesRule.command(others)), others)).toEqual([true, true, true, false]);
    expect(await starts()).toEqual(['iptables -w -S', 'iptables -w -C', 'iptables -w -C']);
  });

  it('takes every rule for missing without iptables', async () => {
    expect(iptablesRule.parse(await sh(iptablesRule.command(rules), '/nonexistent'), rules)).toEqual([false, false]);
  });
});
