import { posix } from 'node:path';
import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { mountPoints, type MountPoint } from '../../facts/builtin/mount-points.js';
import { ansibleFacts } from '../../facts/builtin/ansible-facts.js';
import { systemFacts } from '../../facts/builtin/system.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { applyFileChange, fileContentFacts, planFileContent, type FileChange } from '../file-content.js';
import { defineModule, type Change, type ModuleContext } from '../module.js';
import { setFstab, unsetFstab, type FstabEntry } from './fstab-edit.js';

const field = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^[^\n]*$/, 'must be one line'));

const mountArgs = z
  .strictObject({
    path: z.string().startsWith('/'),
    src: field.optional(),
    fstype: field.optional(),
    opts: field.optional(),
    dump: field.default('0'),
    passno: field.default('0'),
    boot: boolArg.default(true),
    fstab: z.string().startsWith('/').optional(),
    backup: boolArg.default(false),
    state: z.enum(['mounted', 'present', 'unmounted', 'absent', 'remounted', 'absent_from_fstab', 'ephemeral']),
  })
  .refine((a) => !['mounted', 'present', 'ephemeral'].includes(a.state) || (a.src !== undefined && a.fstype !== undefined), {
    message: 'state is mounted, present or ephemeral but all of the following are missing or some: src, fstype',
  });

type MountArgs = z.output<typeof mountArgs>;

interface MountCommand extends Change {
  /** argv run in order; `remount` falls back to umount + mount as Ansible's does */
  argv: string[];
  remount?: boolean;
}

type MountChange = FileChange | MountCommand;

/** The resolved values Ansible reports: opts default, noauto for boot=false (unless defaults), the fstab. */
const resolve = (a: MountArgs) => {
  const list = (a.opts ?? 'defaults').split(',');
  const bootOff = !a.boot && !list.includes('noauto');
  const opts = bootOff && !list.includes('defaults') ? [...list, 'noauto'].join(',') : list.join(',');
  return {
    name: a.path,
    src: a.src,
    fstype: a.fstype,
    opts,
    dump: a.dump,
    passno: a.passno,
    fstab: a.fstab ?? '/etc/fstab',
    boot: bootOff ? 'no' : 'yes',
    backup_file: '',
  };
};

const isMounted = (mounts: readonly MountPoint[], path: string) => mounts.some((m) => m.target === posix.normalize(path));

const fstabArgs = (fstab: string) => (fstab === '/etc/fstab' ? [] : ['-T', fstab]);

const MOUNT_FACTS = [{ fact: mountPoints }, { fact: systemFacts }, { fact: ansibleFacts }];

const command = (summary: string, argv: string[], extra: Partial<MountCommand> = {}): MountCommand => ({ summary, argv, invalidates: MOUNT_FACTS, ...extra });

/** ansible.posix.mount: a mount point in fstab and in the mount table, as the state asks. */
export const mountModule = defineModule<typeof mountArgs, MountChange>({
  name: 'mount',
  fqcn: 'ansible.posix.mount',
  aliases: { name: 'path' },
  args: mountArgs,
  facts: (a) => [
    request(mountPoints, undefined),
    request(fileStat, a.path),
    ...fileContentFacts(a.fstab ?? '/etc/fstab'),
    request(fileContent, a.fstab ?? '/etc/fstab'),
  ],
  plan: async (a, ctx) => {
    const r = resolve(a);
    const result = r;
    const mounted = isMounted(await ctx.facts.read(mountPoints, undefined), a.path);
    const fstabText = (await ctx.facts.read(fileContent, r.fstab))?.toString('utf8') ?? '';
    const entry: FstabEntry = { name: a.path, src: a.src ?? '', fstype: a.fstype ?? '', opts: r.opts, dump: r.dump, passno: r.passno };
    const writeFstab = async (text: string) => (await planFileContent(ctx, { path: r.fstab, source: bufferSource(text), backup: a.backup })).changes;
    const changes: MountChange[] = [];
    switch (a.state) {
      case 'present': {
        const edit = setFstab(fstabText, entry);
        if (edit.changed) changes.push(...(await writeFstab(edit.text)));
        break;
      }
      case 'absent_from_fstab':
      case 'absent': {
        const edit = unsetFstab(fstabText, a.path);
        if (!edit.changed) break;
        changes.push(...(await writeFstab(edit.text)));
        if (a.state === 'absent' && mounted) changes.push(command(`unmount ${a.path}`, ['umount', a.path]));
        if (a.state === 'absent' && (await ctx.facts.read(fileStat, a.path)).exists)
          changes.push({ ...command(`remove ${a.path}`, ['rmdir', '--', a.path]), invalidates: fileFactsOf(a.path) });
        break;
      }
      case 'unmounted':
        if (mounted) changes.push(command(`unmount ${a.path}`, ['umount', a.path]));
        break;
      case 'remounted':
        changes.push(remountCommand(a, r));
        break;
      case 'ephemeral':
        changes.push(
          mounted
            ? remountCommand(a, r)
            : command(`mount ${a.path}`, ['mount', '-t', r.fstype!, '-o', r.opts, r.src!, a.path], { invalidates: [...MOUNT_FACTS, ...fileFactsOf(a.path)] }),
        );
        if (!(await ctx.facts.read(fileStat, a.path)).exists) changes.unshift(command(`create ${a.path}`, ['mkdir', '-p', '--', a.path]));
        break;
      case 'mounted': {
        const edit = setFstab(fstabText, entry);
        if (!(await ctx.facts.read(fileStat, a.path)).exists)
          changes.push({ ...command(`create ${a.path}`, ['mkdir', '-p', '--', a.path]), invalidates: fileFactsOf(a.path) });
        if (edit.changed) changes.push(...(await writeFstab(edit.text)));
        if (!mounted)
          changes.push(command(`mount ${a.path}`, ['mount', ...fstabArgs(r.fstab), a.path], { invalidates: [...MOUNT_FACTS, ...fileFactsOf(a.path)] }));
        else if (edit.changed) changes.push(remountCommand(a, r));
        break;
      }
    }
    return { changes, result };
  },
  apply: async (changes, a, ctx) => {
    let backup_file = '';
    for (const change of changes) {
      if ('want' in change) {
        backup_file = (await applyFileChange(ctx, change)).backup_file ?? backup_file;
        continue;
      }
      const failure = change.remount ? await remount(ctx, a, change.argv) : await run(ctx, change.argv);
      if (failure !== undefined) return { changed: false, failed: true, msg: `Error ${verb(a)} ${a.path}: ${failure}` };
    }
    return { backup_file };
  },
});

const verb = (a: MountArgs) => (a.state === 'unmounted' || a.state === 'absent' ? 'unmounting' : a.state === 'remounted' ? 'remounting' : 'mounting');

const remountCommand = (a: MountArgs, r: ReturnType<typeof resolve>): MountCommand =>
  command(
    `remount ${a.path}`,
    [
      'mount',
      '-o',
      a.state === 'remounted' && r.opts !== 'defaults' ? `remount,${r.opts}` : 'remount',
      ...(a.state === 'ephemeral' ? [] : fstabArgs(r.fstab)),
      a.path,
    ],
    {
      remount: true,
    },
  );

const run = async (ctx: ModuleContext, argv: string[]): Promise<string | undefined> => {
  const res = await ctx.exec(shellJoin(argv));
  return res.code === 0 ? undefined : `${res.stdout}${res.stderr}`;
};

// Ansible's remount: `mount -o remount`, and when that fails (and no options were asked) umount then mount
const remount = async (ctx: ModuleContext, a: MountArgs, argv: string[]): Promise<string | undefined> => {
  const failed = await run(ctx, argv);
  if (failed === undefined) return undefined;
  if (a.state === 'remounted' && (a.opts ?? 'defaults') !== 'defaults') {
    return 'Options were specified with remounted, but the remount command failed. Failing in order to prevent an unexpected mount result. Try replacing this command with a "state: unmounted" followed by a "state: mounted" using the full desired mount options instead.';
  }
  return (await run(ctx, ['umount', a.path])) ?? (await run(ctx, ['mount', ...fstabArgs(a.fstab ?? '/etc/fstab'), a.path]));
};
