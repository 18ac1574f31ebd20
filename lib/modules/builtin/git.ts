import { z } from 'zod';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { gitCheckout, type GitCheckout } from '../../facts/builtin/git-checkout.js';
import { request } from '../../facts/fact.js';
import { shellJoin, shellQuote } from '../../transport/shell-quote.js';
import { boolArg, intArg } from '../arg-types.js';
import { defineModule, type Change, type ModuleContext, type ModuleResult } from '../module.js';

const gitArgs = z.strictObject({
  /** a URL, or a path on the host (made a file:// URL, as Ansible does: depth and the like need a protocol) */
  repo: z
    .string()
    .min(1)
    .transform((r) => (r.startsWith('/') ? `file://${r}` : r)),
  dest: z.string().startsWith('/'),
  /** a branch, a tag, a commit, or HEAD (the remote's default branch) */
  version: z
    .string()
    .min(1)
    .regex(/^[^\s-][^\s]*$/, 'version must be a branch, tag or commit')
    .default('HEAD'),
  remote: z
    .string()
    .regex(/^[\w.-]+$/, 'remote must be a remote name')
    .default('origin'),
  clone: boolArg.default(true),
  update: boolArg.default(true),
  force: boolArg.default(false),
  depth: intArg.optional(),
  single_branch: boolArg.default(false),
  accept_hostkey: boolArg.default(false),
  accept_newhostkey: boolArg.default(false),
  key_file: z.string().startsWith('/').optional(),
  ssh_opts: z.string().optional(),
  executable: z.string().startsWith('/').optional(),
  umask: z
    .union([z.string().regex(/^[0-7]{3,4}$/), z.number()])
    .transform((u) => (typeof u === 'number' ? u.toString(8) : u))
    .optional(),
});

type GitArgs = z.output<typeof gitArgs>;

const SHA = /^[0-9a-f]{40}$/;

/** GIT_SSH_COMMAND from the ssh options, and no prompt ever (a missing credential fails instead of hanging). */
const gitEnv = (a: GitArgs): Record<string, string> => {
  const ssh = [
    'ssh',
    ...(a.key_file ? ['-i', a.key_file, '-o', 'IdentitiesOnly=yes'] : []),
    ...(a.accept_hostkey ? ['-o', 'StrictHostKeyChecking=no'] : a.accept_newhostkey ? ['-o', 'StrictHostKeyChecking=accept-new'] : []),
  ];
  return {
    GIT_TERMINAL_PROMPT: '0',
    ...(ssh.length > 1 || a.ssh_opts ? { GIT_SSH_COMMAND: `${ssh.map(shellQuote).join(' ')}${a.ssh_opts ? ` ${a.ssh_opts}` : ''}` } : {}),
  };
};

const git = (a: GitArgs) => a.executable ?? 'git';

/** The commit `version` names on the remote (ls-remote: a read); undefined when the remote does not have it. */
const remoteHead = async (ctx: ModuleContext, a: GitArgs, from: string): Promise<string | undefined | Error> => {
  if (SHA.test(a.version)) return a.version;
  const refs = a.version === 'HEAD' ? ['HEAD'] : [`refs/heads/${a.version}`, `refs/tags/${a.version}`, `refs/tags/${a.version}^{}`];
  const res = await ctx.exec(`${shellJoin([git(a), 'ls-remote', '--', from, ...refs])}`, { env: gitEnv(a) });
  if (res.code !== 0) return new Error(`Failed to download remote objects and refs: ${res.stderr.trim()}`);
  const lines = res.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
  const pick = (ref: string) => lines.find(([, r]) => r === ref)?.[0];
  return pick(`refs/tags/${a.version}^{}`) ?? pick(`refs/tags/${a.version}`) ?? pick(`refs/heads/${a.version}`) ?? pick('HEAD');
};

interface GitChange extends Change {
  script: string;
}

const q = (s: string) => shellJoin([s]);

// a branch is checked out as a local branch following the remote's; a tag or a commit detached
const switchVersion = (a: GitArgs, branch: boolean): string =>
  branch
    ? `${q(git(a))} -C ${q(a.dest)} checkout -q --force -B ${q(a.version)} ${q(`${a.remote}/${a.version}`)}`
    : a.version === 'HEAD'
      ? `${q(git(a))} -C ${q(a.dest)} reset -q --hard ${q(`${a.remote}/HEAD`)}`
      : `${q(git(a))} -C ${q(a.dest)} checkout -q --force --detach ${q(a.version)}`;

const cloneScript = (a: GitArgs, branch: boolean): string =>
  [
    shellJoin([
      git(a),
      'clone',
      '-q',
      '--origin',
      a.remote,
      ...(a.depth ? ['--depth', String(a.depth)] : []),
      ...(a.single_branch ? ['--single-branch'] : []),
      ...(a.version !== 'HEAD' && !SHA.test(a.version) ? ['--branch', a.version] : []),
      '--',
      a.repo,
      a.dest,
    ]),
    ...(a.version !== 'HEAD' && !branch ? [switchVersion(a, false)] : []),
  ].join(' && ');

const updateScript = (a: GitArgs, c: GitCheckout, branch: boolean): string =>
  [
    ...(c.remoteUrl !== a.repo ? [shellJoin([git(a), '-C', a.dest, 'remote', 'set-url', a.remote, a.repo])] : []),
    shellJoin([git(a), '-C', a.dest, 'fetch', '-q', '--tags', '--force', ...(a.depth ? ['--depth', String(a.depth)] : []), a.remote]),
    switchVersion(a, branch),
  ].join(' && ');

const isBranch = async (ctx: ModuleContext, a: GitArgs): Promise<boolean> => {
  if (a.version === 'HEAD' || SHA.test(a.version)) return false;
  const res = await ctx.exec(shellJoin([git(a), 'ls-remote', '--heads', '--', a.repo, `refs/heads/${a.version}`]), { env: gitEnv(a) });
  return res.stdout.trim() !== '';
};

/** Ansible's git: a clone of repo at version in dest, updated when the remote moved (ls-remote decides), with the host's git. */
export const gitModule = defineModule({
  name: 'git',
  aliases: { name: 'repo' },
  args: gitArgs,
  facts: (a) => [request(gitCheckout, { dest: a.dest, remote: a.remote })],
  plan: async (a, ctx) => {
    const c = await ctx.facts.read(gitCheckout, { dest: a.dest, remote: a.remote });
    const invalidates = [{ fact: gitCheckout, arg: { dest: a.dest, remote: a.remote } }, ...fileFactsOf(a.dest)];
    if (c.state === 'other')
      return { changes: [], result: { before: null }, failed: `destination path '${a.dest}' already exists and is not an empty directory.` };
    const fresh = c.state === 'absent' || c.state === 'empty';
    if (!fresh && !a.update) return { changes: [], result: { before: c.head ?? null, after: c.head ?? null } };
    if (!fresh && c.dirty && !a.force)
      return { changes: [], result: { before: c.head ?? null }, failed: `Local modifications exist in the destination: ${a.dest} (force=no).` };
    const target = await remoteHead(ctx, a, fresh ? a.repo : a.repo);
    if (target instanceof Error) return { changes: [], result: { before: c.head ?? null }, failed: target.message };
    if (fresh && !a.clone) return { changes: [], result: { before: null, after: target ?? null } };
    const urlChanged = !fresh && c.remoteUrl !== undefined && c.remoteUrl !== a.repo;
    const result = { before: fresh ? null : (c.head ?? null), after: target ?? null, ...(fresh ? {} : { remote_url_changed: urlChanged }) };
    if (!fresh && target === c.head && !urlChanged && !c.dirty) return { changes: [], result };
    const branch = await isBranch(ctx, a);
    const change: GitChange = {
      summary: fresh ? `clone ${a.repo} into ${a.dest}` : `update ${a.dest} to ${a.version}`,
      diff: ctx.diff ? { path: a.dest, before: fresh ? '' : `${c.head ?? ''}\n`, after: `${target ?? a.version}\n` } : undefined,
      invalidates,
      script: fresh ? cloneScript(a, branch) : updateScript(a, c, branch),
    };
    return { changes: [change], result };
  },
  apply: async ([change], a, ctx): Promise<Partial<ModuleResult>> => {
    const script = a.umask ? `umask ${a.umask} && ${change.script}` : change.script;
    const res = await ctx.exec(script, { env: gitEnv(a) });
    if (res.code !== 0) return { changed: false, failed: true, msg: `Failed to checkout ${a.version}: ${res.stderr.trim()}`, rc: res.code };
    ctx.facts.invalidate(change.invalidates);
    const now = await ctx.facts.read(gitCheckout, { dest: a.dest, remote: a.remote });
    return { after: now.head ?? null };
  },
});
