import { z } from 'zod';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { findGroup, groupDb, type GroupEntry } from '../../facts/builtin/group-db.js';
import { passwdEntry, type PasswdEntry } from '../../facts/builtin/passwd-entry.js';
import { shadowEntry } from '../../facts/builtin/shadow-entry.js';
import { request, type FactRef, type FactRequest } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, intArg } from '../arg-types.js';
import { execChecked } from '../exec-checked.js';
import { defineModule, type Change, type FileDiff, type ModuleContext } from '../module.js';

const noNewline = z.string().regex(/^[^\n:]*$/, 'must be one line without a colon');

// Ansible's list type: a YAML list or one comma-separated string; [] and '' both mean "no supplementary groups"
const groupList = z
  .union([z.array(z.string()), z.string()])
  .transform((g) => (Array.isArray(g) ? g : g.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

const userArgs = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .regex(/^[^-:,\s][^:,\s]*$/, 'must be a user name (no colon, comma, blank or leading dash)'),
    state: z.enum(['present', 'absent']).default('present'),
    uid: intArg.optional(),
    non_unique: boolArg.default(false),
    group: z.string().min(1).optional(),
    groups: groupList.optional(),
    append: boolArg.default(false),
    comment: noNewline.optional(),
    home: z.string().startsWith('/').optional(),
    shell: z.string().min(1).optional(),
    /** a crypt(3) hash (e.g. from `mkpasswd` or the password_hash filter); set through chpasswd -e on stdin, never on a command line */
    password: z.string().optional(),
    update_password: z.enum(['always', 'on_create']).default('always'),
    password_lock: boolArg.optional(),
    create_home: boolArg.default(true),
    skeleton: z.string().min(1).optional(),
    umask: z
      .string()
      .regex(/^[0-7]{3,4}$/, 'umask must be octal')
      .optional(),
    system: boolArg.default(false),
    move_home: boolArg.default(false),
    force: boolArg.default(false),
    remove: boolArg.default(false),
  })
  .refine((a) => !a.non_unique || a.uid !== undefined, 'non_unique requires uid');

type UserArgs = z.output<typeof userArgs>;

interface UserChange extends Change {
  /** commands run in order (argv each), and a password set through stdin after them */
  commands: string[][];
  password?: string;
}

const userFacts = (a: UserArgs): FactRef[] => [
  { fact: passwdEntry, arg: a.name },
  { fact: groupDb },
  { fact: shadowEntry, arg: a.name },
  ...(a.home ? fileFactsOf(a.home) : []),
];

const wantsShadow = (a: UserArgs) => a.state === 'present' && (a.password !== undefined || a.password_lock !== undefined);

/** Groups (by name or gid) must exist: Ansible's "Group X does not exist". */
const missingGroup = (a: UserArgs, groups: readonly GroupEntry[]): string | undefined =>
  [...(a.group ? [a.group] : []), ...(a.groups ?? [])].find((g) => !findGroup(groups, g));

const memberOf = (name: string, groups: readonly GroupEntry[]): string[] => groups.filter((g) => g.members.includes(name)).map((g) => g.name);

const useradd = (a: UserArgs, groups: readonly GroupEntry[]): string[] => [
  'useradd',
  ...(a.uid !== undefined ? ['-u', String(a.uid), ...(a.non_unique ? ['-o'] : [])] : []),
  // a group named as the user already exists: no user group (useradd would fail creating it)
  ...(a.group ? ['-g', a.group] : groups.some((g) => g.name === a.name) ? ['-N'] : []),
  ...(a.groups?.length ? ['-G', a.groups.join(',')] : []),
  ...(a.comment !== undefined ? ['-c', a.comment] : []),
  ...(a.home ? ['-d', a.home] : []),
  ...(a.shell ? ['-s', a.shell] : []),
  ...(a.create_home ? ['-m', ...(a.skeleton ? ['-k', a.skeleton] : []), ...(a.umask ? ['-K', `UMASK=${a.umask}`] : [])] : ['-M']),
  ...(a.system ? ['-r'] : []),
  a.name,
];

/** usermod's options for what differs (Ansible's modify_user_usermod), empty when nothing does. */
const usermodOptions = (a: UserArgs, u: PasswdEntry, groups: readonly GroupEntry[], lockedNow: boolean | undefined): string[] => {
  const opts: string[] = [];
  if (a.uid !== undefined && u.uid !== a.uid) opts.push('-u', String(a.uid), ...(a.non_unique ? ['-o'] : []));
  const primary = a.group ? findGroup(groups, a.group) : undefined;
  if (primary && primary.gid !== u.gid) opts.push('-g', String(primary.gid));
  if (a.groups !== undefined) {
    const current = memberOf(a.name, groups);
    const wanted = a.groups.map((g) => findGroup(groups, g)?.name ?? g);
    const missing = wanted.filter((g) => !current.includes(g));
    const extra = current.filter((g) => !wanted.includes(g));
    if (a.append ? missing.length > 0 : missing.length + extra.length > 0) opts.push(...(a.append ? ['-a'] : []), '-G', a.groups.join(','));
  }
  if (a.comment !== undefined && u.gecos !== a.comment) opts.push('-c', a.comment);
  if (a.home !== undefined && u.home !== a.home) opts.push('-d', a.home, ...(a.move_home ? ['-m'] : []));
  if (a.shell !== undefined && u.shell !== a.shell) opts.push('-s', a.shell);
  if (a.password_lock === true && lockedNow === false) opts.push('-L');
  if (a.password_lock === false && lockedNow === true) opts.push('-U');
  return opts;
};

const describe = (u: PasswdEntry | null, groups: readonly GroupEntry[]): string =>
  u
    ? `user ${u.name}\nuid: ${u.uid}\ngid: ${u.gid}\ncomment: ${u.gecos}\nhome: ${u.home}\nshell: ${u.shell}\ngroups: ${memberOf(u.name, groups).join(',')}\n`
    : '';

const diffOf = (a: UserArgs, u: PasswdEntry | null, groups: readonly GroupEntry[], after: string): FileDiff => ({
  path: `user ${a.name}`,
  before: describe(u, groups),
  after,
});

const afterText = (a: UserArgs, argv: string[]): string => (a.state === 'absent' ? '' : `${argv.join(' ')}\n`);

/** The password to set (through chpasswd -e): given, wanted now, and different from the hash there (locks aside). */
const passwordToSet = async (ctx: ModuleContext, a: UserArgs, exists: boolean): Promise<string | undefined> => {
  if (a.password === undefined) return undefined;
  if (!exists) return a.password;
  if (a.update_password === 'on_create') return undefined;
  const shadow = await ctx.facts.read(shadowEntry, a.name);
  return shadow && shadow.hash.replace(/^!/, '') === a.password.replace(/^!/, '') ? undefined : a.password;
};

const lockState = async (ctx: ModuleContext, a: UserArgs): Promise<boolean | undefined> =>
  a.password_lock === undefined ? undefined : ((await ctx.facts.read(shadowEntry, a.name))?.hash.startsWith('!') ?? false);

/** Ansible's return values for a user that exists after the task. */
const infoOf = (a: UserArgs, u: PasswdEntry): Record<string, unknown> => ({
  uid: u.uid,
  group: u.gid,
  comment: u.gecos,
  home: u.home,
  shell: u.shell,
  ...(a.groups !== undefined ? { groups: a.groups.join(',') } : {}),
  ...(a.password !== undefined ? { password: 'NOT_LOGGING_PASSWORD' } : {}),
});

const homeMissing = async (ctx: ModuleContext, a: UserArgs, u: PasswdEntry): Promise<boolean> =>
  a.create_home && !(await ctx.facts.read(fileStat, a.home ?? u.home)).exists;

// a home directory created after the fact: the skeleton's files, owned by the user (Ansible's create_homedir)
const createHome = (home: string, skeleton: string, u: PasswdEntry): string[][] => [
  ['mkdir', '-p', '--', home],
  ['sh', '-c', 'if [ -d "$1" ]; then cp -a "$1"/. "$2"/; fi', 'sh', skeleton, home],
  ['chown', '-R', `${u.uid}:${u.gid}`, '--', home],
];

export const userModule = defineModule({
  name: 'user',
  aliases: { user: 'name', createhome: 'create_home' },
  args: userArgs,
  facts: (a) => {
    const facts: FactRequest[] = [request(passwdEntry, a.name), request(groupDb, undefined)];
    if (wantsShadow(a)) facts.push(request(shadowEntry, a.name));
    if (a.home) facts.push(request(fileStat, a.home));
    return facts;
  },
  plan: async (a, ctx) => {
    const u = await ctx.facts.read(passwdEntry, a.name);
    const groups = await ctx.facts.read(groupDb, undefined);
    const base = { name: a.name, state: a.state };
    const change = (summary: string, commands: string[][], password?: string): UserChange => ({
      summary,
      commands,
      password,
      diff: ctx.diff ? diffOf(a, u, groups, afterText(a, commands[0] ?? [])) : undefined,
      invalidates: userFacts(a),
    });
    if (a.state === 'absent') {
      if (!u) return { changes: [], result: base };
      const argv = ['userdel', ...(a.force ? ['-f'] : []), ...(a.remove ? ['-r'] : []), a.name];
      return {
        changes: [{ ...change(`remove user ${a.name}`, [argv]), invalidates: [...userFacts(a), ...fileFactsOf(u.home)] }],
        result: { ...base, force: a.force, remove: a.remove },
      };
    }
    const missing = missingGroup(a, groups);
    // a user to create in check mode is a change whatever its groups: an earlier task may create them (as Ansible)
    if (missing !== undefined && !(ctx.check && !u)) return { changes: [], result: base, failed: `Group ${missing} does not exist` };
    if (!u) {
      const password = await passwordToSet(ctx, a, false);
      return { changes: [change(`add user ${a.name}`, [useradd(a, groups)], password)], result: { ...base, system: a.system, create_home: a.create_home } };
    }
    const opts = usermodOptions(a, u, groups, await lockState(ctx, a));
    const password = await passwordToSet(ctx, a, true);
    const commands = [
      ...(opts.length ? [['usermod', ...opts, a.name]] : []),
      ...((await homeMissing(ctx, a, u)) ? createHome(a.home ?? u.home, a.skeleton ?? '/etc/skel', u) : []),
    ];
    const result = { ...base, append: a.append, move_home: a.move_home, ...infoOf(a, u) };
    if (commands.length === 0 && password === undefined) return { changes: [], result };
    return { changes: [change(`modify user ${a.name}`, commands, password)], result };
  },
  apply: async ([change], a, ctx) => {
    for (const argv of change.commands) await execChecked(ctx, shellJoin(argv));
    // the hash travels on stdin: never on a command line (ps) nor in a log
    if (change.password !== undefined) await execChecked(ctx, 'chpasswd -e', { stdin: `${a.name}:${change.password}\n` });
    if (a.state === 'absent') return {};
    ctx.facts.invalidate(userFacts(a));
    const u = await ctx.facts.read(passwdEntry, a.name);
    return u ? infoOf(a, u) : {};
  },
});
