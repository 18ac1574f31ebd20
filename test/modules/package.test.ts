import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageModule } from '../../lib/modules/builtin/package.js';
import { makeContext, removeDir, runModule, shimEnv, shimWorkspace, snapshotDir, writeShim } from './helpers.js';

// A fake dpkg database ($STATE/dpkg) and apt repository ($STATE/candidates); calls are logged to $LOGS.
const DPKG_QUERY = `printf "%s\\n" "dpkg-query $*" >> "$LOGS/calls"
cat "$STATE/dpkg"`;

const APT_GET = `echo "apt-get $*" >> "$LOGS/calls"
cmd=$1; shift
sim=no; names=; skip=no
for a in "$@"; do
  if [ $skip = yes ]; then skip=no; continue; fi
  case $a in -o) skip=yes;; -s) sim=yes;; -*) ;; *) names="$names $a";; esac
done
[ "$cmd" = update ] && exit 0
[ $sim = yes ] || [ "$DEBIAN_FRONTEND" = noninteractive ] || { echo "interactive apt-get" >&2; exit 1; }
for a in $names; do
  name=\${a%%=*}; ver=\${a#*=}
  [ "$ver" = "$a" ] && ver=$(grep "^$name " "$STATE/candidates" | cut -d' ' -f2)
  [ -n "$ver" ] || { echo "E: Unable to locate package $name" >&2; exit 100; }
  cur=$(grep "^$name " "$STATE/dpkg" | cut -d' ' -f2)
  if [ $sim = yes ]; then [ "$cur" = "$ver" ] || echo "Inst $name [$cur] ($ver stable [amd64])"; continue; fi
  grep -v "^$name " "$STATE/dpkg" > "$STATE/dpkg.new"
  [ "$cmd" = install ] && echo "$name $ver ii " >> "$STATE/dpkg.new"
  mv "$STATE/dpkg.new" "$STATE/dpkg"
done
exit 0`;

let dir: string;
let state: string;
let env: Record<string, string>;
beforeEach(async () => {
  const ws = await shimWorkspace();
  ({ dir, state } = ws);
  const { logs } = ws;
  await writeFile(join(state, 'dpkg'), 'curl 7.88.1 ii \njq 1.6 ii \nold-thing 0.1 rc \n');
  await writeFile(join(state, 'candidates'), 'curl 7.88.2\njq 1.6\nnvtop 3.0.1\nhtop 3.2.2\n');
  await writeShim(dir, 'dpkg-query', DPKG_QUERY);
  const bin = await writeShim(dir, 'apt-get', APT_GET);
  env = { ...shimEnv(bin), STATE: state, LOGS: logs };
});
afterEach(() => removeDir(dir));

const calls = async () => (await readFile(join(dir, 'logs/calls'), 'utf8')).trim().split('\n');
const installed = async () => readFile(join(state, 'dpkg'), 'utf8');

describe('package (apt)', () => {
  it('installs what is missing once, non-interactively, and then reports no change', async () => {
    const first = await runModule(packageModule, { name: ['curl', 'nvtop', 'htop=3.2.2'] }, { env });
    expect(first).toMatchObject({ changed: true, packages: ['nvtop', 'htop=3.2.2'] });
    expect(first.diff).toEqual([{ path: 'packages', before: 'nvtop (absent)\nhtop (absent)\n', after: 'nvtop (installed)\nhtop 3.2.2\n' }]);
    expect(await installed()).toContain('nvtop 3.0.1 ii');
    expect((await calls()).filter((c) => c.startsWith('apt-get install') && !c.includes(' -s '))).toHaveLength(1);
    const second = await runModule(packageModule, { name: ['curl', 'nvtop', 'htop=3.2.2'] }, { env });
    expect(second.changed).toBe(false);
  });

  it('reads the installed set once per host for many tasks', async () => {
    const ctx = makeContext({ env });
    for (const name of ['curl', 'jq', 'curl']) expect((await runModule(packageModule, { name }, ctx)).changed).toBe(false);
    expect(await calls()).toEqual([`dpkg-query -W -f=\${Package} \${Version} \${db:Status-Abbrev}\\n`]);
  });

  it('treats removed-but-configured packages as absent and version pins as wanted', async () => {
    expect((await runModule(packageModule, { name: 'old-thing=0.1' }, { env })).changed).toBe(true);
    expect((await runModule(packageModule, { name: 'jq=1.*' }, { env })).changed).toBe(false);
    expect((await runModule(packageModule, { name: 'jq=1.7' }, { env })).changed).toBe(true);
  });

  it('upgrades to latest only when apt has a newer candidate', async () => {
    const first = await runModule(packageModule, { name: ['curl', 'jq'], state: 'latest', update_cache: true }, { env });
    // the shim's update leaves the cache's time as it was: Ansible's rule then says the cache was not updated
    expect(first).toMatchObject({ changed: true, packages: ['curl'], cache_updated: false });
    expect((await calls()).filter((c) => c.startsWith('apt-get update'))).toHaveLength(1);
    expect(await installed()).toContain('curl 7.88.2 ii');
    expect((await runModule(packageModule, { name: ['curl', 'jq'], state: 'latest' }, { env })).changed).toBe(false);
  });

  it('skips apt-get update when nothing is to be installed', async () => {
    const res = await runModule(packageModule, { name: 'curl', update_cache: true }, { env });
    expect(res).toMatchObject({ changed: false, cache_updated: false });
    expect((await calls()).some((c) => c.startsWith('apt-get update'))).toBe(false);
  });

  it('removes installed packages', async () => {
    expect(await runModule(packageModule, { name: ['jq', 'nvtop'], state: 'absent' }, { env })).toMatchObject({ changed: true, packages: ['jq'] });
    expect(await installed()).not.toContain('jq');
    expect((await runModule(packageModule, { name: ['jq', 'nvtop'], state: 'absent' }, { env })).changed).toBe(false);
  });

  it("refuses a package the archive does not have before installing anything, with Ansible's message", async () => {
    const res = await runModule(packageModule, { name: ['nvtop', 'no-such-package'] }, { env });
    expect(res).toMatchObject({ failed: true, changed: false, msg: "No package matching 'no-such-package' is available" });
    expect((await calls()).filter((c) => c.startsWith('apt-get install') && !c.includes(' -s '))).toEqual([]);
  });

  it('check mode changes nothing but reports the plan', async () => {
    const before = await snapshotDir(state);
    const res = await runModule(packageModule, { name: ['nvtop', 'curl'], update_cache: true }, { env, check: true });
    expect(res).toMatchObject({ changed: true, packages: ['nvtop'], diff: [{ before: 'nvtop (absent)\n', after: 'nvtop (installed)\n' }] });
    expect(await snapshotDir(state)).toEqual(before);
    // only apt-get's simulation (a read) ran: it decides what the archive has, as in Ansible's check mode
    expect((await calls()).filter((c) => c.startsWith('apt-get') && !c.includes(' -s '))).toEqual([]);
  });

  it('check mode refuses a package the archive lacks even when the cache would be updated first (it is not)', async () => {
    const res = await runModule(packageModule, { name: ['no-such-package'], update_cache: true }, { env, check: true });
    expect(res).toMatchObject({ failed: true, msg: "No package matching 'no-such-package' is available" });
  });
});
