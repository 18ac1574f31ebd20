import { posix } from 'node:path';
import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { groupDb } from '../../facts/builtin/group-db.js';
import { passwdEntry } from '../../facts/builtin/passwd-entry.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { execChecked } from '../exec-checked.js';
import { applyFileChange, fileContentFacts, planFileContent, type FileChange } from '../file-content.js';
import { hostHttp } from '../host-http.js';
import { defineModule, type Change, type ModuleContext } from '../module.js';
import { editAuthorizedKeys } from './authorized-keys-edit.js';

const authorizedKeyArgs = z.strictObject({
  user: z.string().min(1),
  /** one or more public keys (one per line), or an http(s) URL the host fetches them from */
  key: z.string().min(1),
  path: z.string().startsWith('/').optional(),
  manage_dir: boolArg.default(true),
  state: z.enum(['present', 'absent']).default('present'),
  key_options: z.string().optional(),
  exclusive: boolArg.default(false),
  comment: z.string().optional(),
  /** kept for Ansible's argument list: a key URL's certificate is always verified */
  validate_certs: boolArg.default(true),
  /** false: the key file is written where it is (a link is replaced); following links is not supported */
  follow: z.literal(false).or(z.literal('no')).default(false),
});

type AuthorizedKeyArgs = z.output<typeof authorizedKeyArgs>;

/** The .ssh directory, made the user's and 0700 whenever the key file is written (Ansible's manage_dir). */
interface SshDirChange extends Change {
  commands: string[];
}

const keysFrom = async (ctx: ModuleContext, a: AuthorizedKeyArgs): Promise<string> => {
  if (!a.key.startsWith('http')) return a.key;
  const res = await hostHttp(ctx.exec, { url: a.key });
  if (res.status !== 200) throw new Error(`Error getting key from: ${a.key}`);
  return res.text;
};

const resultOf = (a: AuthorizedKeyArgs, keyfile: string) => ({
  user: a.user,
  key: a.key,
  path: a.path ?? null,
  manage_dir: a.manage_dir,
  state: a.state,
  key_options: a.key_options ?? null,
  exclusive: a.exclusive,
  comment: a.comment ?? null,
  validate_certs: a.validate_certs,
  follow: false,
  keyfile,
});

/** ansible.posix.authorized_key: a user's authorized_keys, edited as Ansible edits it. */
export const authorizedKeyModule = defineModule<typeof authorizedKeyArgs, FileChange | SshDirChange>({
  name: 'authorized_key',
  fqcn: 'ansible.posix.authorized_key',
  args: authorizedKeyArgs,
  facts: (a) => [request(passwdEntry, a.user), request(groupDb, undefined), ...(a.path ? [...fileContentFacts(a.path), request(fileContent, a.path)] : [])],
  plan: async (a, ctx) => {
    const entry = await ctx.facts.read(passwdEntry, a.user);
    if (!entry && !a.path && ctx.check) return { changes: [], failed: 'Either user must exist or you must provide full path to key file in check mode' };
    if (!entry && !(a.path && ctx.check)) return { changes: [], failed: `Failed to lookup user ${a.user}: "getpwnam(): name not found: '${a.user}'"` };
    const keyfile = a.path ?? posix.join(entry!.home, '.ssh', 'authorized_keys');
    const sshDir = posix.dirname(keyfile);
    await ctx.facts.readAll([...fileContentFacts(keyfile), request(fileContent, keyfile), request(fileStat, sshDir)]);
    const existing = (await ctx.facts.read(fileContent, keyfile))?.toString('utf8') ?? '';
    let text: string;
    try {
      text = editAuthorizedKeys(existing, {
        present: a.state === 'present',
        keys: await keysFrom(ctx, a),
        keyOptions: a.key_options,
        comment: a.comment,
        exclusive: a.exclusive,
      });
    } catch (e) {
      return { changes: [], result: resultOf(a, keyfile), failed: (e as Error).message };
    }
    if (text === existing) return { changes: [], result: resultOf(a, keyfile) };
    const group = entry ? ((await ctx.facts.read(groupDb, undefined)).find((g) => g.gid === entry.gid)?.name ?? String(entry.gid)) : undefined;
    const owner = entry ? { owner: entry.name, group } : {};
    const dir: SshDirChange[] =
      a.manage_dir && entry
        ? [
            {
              summary: `${sshDir} for ${a.user}`,
              commands: [
                ...((await ctx.facts.read(fileStat, sshDir)).exists ? [] : [`mkdir -m 0700 -- ${shellJoin([sshDir])}`]),
                `chown ${shellJoin([`${entry.uid}:${entry.gid}`, sshDir])}`,
                `chmod 0700 ${shellJoin([sshDir])}`,
              ],
              invalidates: fileFactsOf(sshDir),
              quiet: true,
            },
          ]
        : [];
    const file = await planFileContent(ctx, { path: keyfile, source: bufferSource(text), mode: 0o600, ...owner });
    return { changes: [...dir, ...file.changes], result: resultOf(a, keyfile) };
  },
  apply: async (changes, _a, ctx) => {
    for (const change of changes) {
      if ('commands' in change && !('want' in change)) await execChecked(ctx, change.commands.join(' && '));
      else await applyFileChange(ctx, change as FileChange);
    }
    return {};
  },
});
