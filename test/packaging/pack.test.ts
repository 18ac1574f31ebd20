import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');

/**
 * The tarball `npm pack` makes of this checkout, unpacked as npm installs it into an empty project, next to nop's
 * production dependencies only (copied from this checkout: the test reaches no registry). What a user gets.
 */
describe('the npm package', () => {
  let dir: string;
  let nop: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nop-pack-'));
    // `npm test` has just built dist/: skip prepack's second build
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: REPO });
    const tarball = join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
    const modules = join(dir, 'app', 'node_modules');
    await mkdir(join(modules, '.bin'), { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', modules]);
    await rename(join(modules, 'package'), join(modules, 'nop'));
    const deps = (await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: REPO })).stdout.split('\n').filter((p) => p && p !== REPO);
    for (const dep of deps) await cp(dep, join(modules, relative(join(REPO, 'node_modules'), dep)), { recursive: true });
    nop = join(modules, '.bin', 'nop');
    await symlink('../nop/bin/nop.js', nop);
  }, 240_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('ships the build, the roles, templates, playbooks and data, and no tests', async () => {
    const pkg = join(dir, 'app', 'node_modules', 'nop');
    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect((await run(nop, ['--version'])).stdout.trim()).toContain(manifest.version);
    const listed = (await run('find', [pkg, '-type', 'f'])).stdout;
    expect(listed).toContain('/dist/lib/cli/main.js');
    expect(listed).toContain('/roles/config/defaults.yml');
    expect(listed).toContain('/templates/config.env.hbs');
    expect(listed).toContain('/playbooks/setup.yml');
    expect(listed).toContain('/data/versions.yml');
    expect(listed).not.toMatch(/\/test\/|\.test\.|\/bench\//);
  });

  it('runs the simulator from where it is installed: a simulated host answers through its shims', async () => {
    const script = `
      const { createSimHost } = await import(${JSON.stringify(join(dir, 'app', 'node_modules', 'nop', 'dist', 'sim', 'host', 'create.js'))});
      const host = await createSimHost({ profile: 'h100-8x', dir: ${JSON.stringify(join(dir, 'sim-host'))} });
      const res = await host.sh('nvidia-smi -L | wc -l; dpkg-query -W -f="\${Version}" docker-ce');
      await host.close();
      process.stdout.write(res.stdout + res.stderr);
    `;
    const res = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(res.stdout).toMatch(/^8\n/);
  });

  it('runs a playbook and reads its own data from where it is installed', async () => {
    const out = join(dir, 'out.txt');
    await writeFile(join(dir, 'site.yml'), `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - copy: { dest: "${out}", content: "installed\\n" }\n`);
    const res = await run(nop, ['run', join(dir, 'site.yml')], { cwd: dir });
    expect(res.stdout).toMatch(/localhost\s+: ok=1\s+changed=1/);
    expect(await readFile(out, 'utf8')).toBe('installed\n');
    expect((await run(nop, ['versions', '--json'], { cwd: dir })).stdout).toContain('"api"');
  });

  it("connects with ssh2 bundled into its SSH transport, and ssh2's native crypto binding loaded from node_modules", async () => {
    // ssh2 falls back to JavaScript ciphers without a word when its binding cannot be required
    const report = join(dir, 'native-modules.cjs');
    await writeFile(
      report,
      "process.once('exit', () => process.stderr.write(JSON.stringify(Object.keys(require.cache).filter((f) => f.endsWith('.node') || f.includes('ssh2')))));\n",
    );
    await writeFile(join(dir, 'ping.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - ping:\n');
    const res = await run(process.execPath, ['-r', report, nop, 'run', join(dir, 'ping.yml'), '-i', '127.0.0.1:1,'], { cwd: dir }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(res.stdout).toMatch(/UNREACHABLE/);
    const loaded = JSON.parse(res.stderr.slice(res.stderr.lastIndexOf('['))) as string[];
    const modules = join(dir, 'app', 'node_modules');
    expect(loaded).toContain(join(modules, 'ssh2', 'lib', 'protocol', 'crypto', 'build', 'Release', 'sshcrypto.node'));
    expect(loaded.filter((f) => f.endsWith('.js'))).toEqual([]);
    // the binding installed beside nop is the one of the ssh2 bundled into it: package.json names one version
    const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(await readFile(join(modules, 'ssh2', 'package.json'), 'utf8')) as { version: string };
    expect(manifest.dependencies.ssh2).toBe(installed.version);
  });

  it("loads the builtin roles' code from its bundle", async () => {
    const listed = (await run('find', [join(dir, 'app', 'node_modules', 'nop', 'dist', 'bundle'), '-name', '*.cjs'])).stdout;
    expect(listed).toContain('/dist/bundle/nop.cjs');
    expect(listed).toContain('/dist/bundle/roles/register.cjs');
    const setup = join(dir, 'app', 'node_modules', 'nop', 'playbooks', 'setup.yml');
    const inventory = join(dir, 'app', 'node_modules', 'nop', 'inventory', 'single-server.yml');
    // the CLI must not reach for the unbundled roles (a second copy of every module they import)
    const unbundled = join(dir, 'app', 'node_modules', 'nop', 'dist', 'roles');
    await rename(unbundled, `${unbundled}.away`);
    try {
      const res = await run(nop, ['run', setup, '-i', inventory, '--list-tasks'], { cwd: dir });
      expect(res.stdout).toContain('register : ML operational grant on chain');
    } finally {
      await rename(`${unbundled}.away`, unbundled);
    }
  });
});
