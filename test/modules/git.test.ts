import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitModule } from '../../lib/modules/builtin/git.js';
import { makeTempDir, removeDir, runModule } from './helpers.js';

let dir: string;
let repo: string;
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'nop',
  GIT_AUTHOR_EMAIL: 'nop@example.invalid',
  GIT_COMMITTER_NAME: 'nop',
  GIT_COMMITTER_EMAIL: 'nop@example.invalid',
};
const git = (...args: string[]) => execFileSync('git', args, { env, encoding: 'utf8' }).trim();

beforeEach(async () => {
  dir = await makeTempDir();
  const work = join(dir, 'work');
  git('init', '-q', '-b', 'main', work);
  await writeFile(join(work, 'VERSION'), '1\n');
  git('-C', work, 'add', 'VERSION');
  git('-C', work, 'commit', '-q', '-m', 'one');
  repo = join(dir, 'app.git');
  git('clone', '-q', '--bare', work, repo);
});
afterEach(() => removeDir(dir));

describe('git', () => {
  it('clones once; local modifications stop an update unless force, which discards them', async () => {
    const dest = join(dir, 'app');
    const first = await runModule(gitModule, { repo, dest, version: 'main' });
    const head = git('-C', dest, 'rev-parse', 'HEAD');
    expect(first).toMatchObject({ changed: true, before: null, after: head });
    expect(await runModule(gitModule, { repo, dest, version: 'main' })).toMatchObject({ changed: false, before: head, after: head, remote_url_changed: false });
    await writeFile(join(dest, 'VERSION'), 'edited\n');
    expect(await runModule(gitModule, { repo, dest, version: 'main' })).toMatchObject({
      failed: true,
      msg: `Local modifications exist in the destination: ${dest} (force=no).`,
    });
    expect(await runModule(gitModule, { repo, dest, version: 'main', force: true })).toMatchObject({ changed: true });
    expect(await readFile(join(dest, 'VERSION'), 'utf8')).toBe('1\n');
  });

  it('refuses a non-empty directory that is not a repository, and a version the remote lacks', async () => {
    await writeFile(join(dir, 'file'), 'x');
    expect(await runModule(gitModule, { repo, dest: dir })).toMatchObject({
      failed: true,
      msg: `destination path '${dir}' already exists and is not an empty directory.`,
    });
    expect(await runModule(gitModule, { repo, dest: join(dir, 'app'), version: 'nope' })).toMatchObject({ failed: true });
  });
});
