import { posix } from 'node:path';
import { z } from 'zod';
import { fileContent } from '../../facts/builtin/file-content.js';
import { fileFactsOf } from '../../facts/builtin/file-facts.js';
import { fileStat } from '../../facts/builtin/file-stat.js';
import { request } from '../../facts/fact.js';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg } from '../arg-types.js';
import { bufferSource } from '../content-source.js';
import { execChecked } from '../exec-checked.js';
import { applyFileChange, fileContentFacts, planFileContent, type FileChange } from '../file-content.js';
import { hostHttp } from '../host-http.js';
import { defineModule, type Change, type ModuleContext } from '../module.js';
import { dearmor, fingerprintOf } from '../openpgp-key.js';

const hexId = z
  .string()
  .transform((s) => s.replace(/^0x/i, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-F]{8,40}$/, 'id must be a key id or fingerprint (hex)'));

const aptKeyArgs = z
  .strictObject({
    id: hexId.optional(),
    /** the key's ASCII-armored or binary text */
    data: z.string().min(1).optional(),
    /** a key file on the host */
    file: z.string().min(1).optional(),
    /** fetched on the host (curl) */
    url: z.string().url().optional(),
    /** the keyring the key lives in, for sources' signed-by (default: /etc/apt/keyrings/<id>.gpg) */
    keyring: z.string().startsWith('/').optional(),
    state: z.enum(['present', 'absent']).default('present'),
    validate_certs: boolArg.default(true),
  })
  .refine(
    (a) => a.state === 'absent' || [a.data, a.file, a.url].filter((x) => x !== undefined).length === 1 || (a.id !== undefined && a.keyring !== undefined),
    {
      message: 'one of data, file or url is required with state=present (keyserver is not supported: give the key)',
    },
  )
  .refine((a) => a.state === 'present' || a.id !== undefined || a.keyring !== undefined, 'id or keyring is required with state=absent');

type AptKeyArgs = z.output<typeof aptKeyArgs>;

const KEYRINGS = '/etc/apt/keyrings';

const keyringOf = (a: AptKeyArgs, fingerprint?: string): string => a.keyring ?? posix.join(KEYRINGS, `${(a.id ?? fingerprint ?? '').slice(-16)}.gpg`);

const keyMaterial = async (ctx: ModuleContext, a: AptKeyArgs): Promise<Buffer> => {
  if (a.data !== undefined) return Buffer.from(a.data, 'latin1');
  if (a.file !== undefined) {
    const content = await ctx.facts.read(fileContent, a.file);
    if (content === null) throw new Error(`Unable to open file: ${a.file}`);
    return content;
  }
  const res = await hostHttp(ctx.exec, { url: a.url! });
  if (res.status !== 200) throw new Error(`error getting key id from url: ${a.url}`);
  return Buffer.from(res.text, 'latin1');
};

interface RemoveChange extends Change {
  path: string;
}

/** Ansible's ids: the given id or the key's long id (16 hex), its last 8, and (its name for it) fp, the last 16. */
const ids = (fingerprint: string, a: AptKeyArgs) => {
  const keyId = a.id ?? fingerprint.slice(-16);
  return { id: keyId, short_id: keyId.slice(-8), fp: keyId.length > 16 ? keyId.slice(-16) : keyId, key_id: keyId, fingerprint };
};

/**
 * apt_key the modern way: the key in its own keyring file under /etc/apt/keyrings (binary, 0644), for a source's
 * `signed-by=`; never apt-key's shared trusted.gpg, which every repository would trust.
 */
export const aptKeyModule = defineModule<typeof aptKeyArgs, FileChange | RemoveChange>({
  name: 'apt_key',
  args: aptKeyArgs,
  facts: (a) => [...(a.file ? [request(fileContent, a.file)] : []), ...(a.keyring ? [...fileContentFacts(a.keyring), request(fileContent, a.keyring)] : [])],
  plan: async (a, ctx) => {
    if (a.state === 'absent') {
      const path = keyringOf(a);
      if (!(await ctx.facts.read(fileStat, path)).exists) return { changes: [] };
      return { changes: [{ summary: `remove ${path}`, path, invalidates: fileFactsOf(path) }] };
    }
    let key: Buffer;
    try {
      key = dearmor(await keyMaterial(ctx, a));
    } catch (e) {
      return { changes: [], failed: (e as Error).message };
    }
    const fp = fingerprintOf(key);
    if (!fp) return { changes: [], failed: 'the key is not an OpenPGP public key' };
    if (a.id && !fp.endsWith(a.id)) return { changes: [], failed: `key id from source: ${fp.slice(-16)} does not match key id: ${a.id}` };
    const path = keyringOf(a, fp);
    await ctx.facts.readAll(fileContentFacts(path));
    const plan = await planFileContent(ctx, { path, source: bufferSource(key), mode: 0o644 });
    return { changes: plan.changes, result: { ...ids(fp, a), keyring: path } };
  },
  apply: async (changes, _a, ctx) => {
    for (const change of changes) {
      if ('path' in change) await execChecked(ctx, `rm -f -- ${shellJoin([change.path])}`);
      else {
        await execChecked(ctx, `mkdir -p -m 0755 -- ${shellJoin([posix.dirname(change.want.path)])}`);
        await applyFileChange(ctx, change);
      }
    }
    return {};
  },
});
