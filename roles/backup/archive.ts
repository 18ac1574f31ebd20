import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { consensusPubkeyOf } from '../../lib/gonka/consensus-key.js';
import { DEFAULT_KDF, decryptArchive, encryptArchive, packBackup, type BackupFile, unpackBackup } from '../../lib/gonka/backup-archive.js';
import { backupPassphrase } from '../../lib/gonka/backup-passphrase.js';
import { API_STATE_PATHS, CONSENSUS_KEY_PATH, IDENTITY_PATHS, NODE_KEY_PATH, parseFiles, readFilesScript } from '../../lib/gonka/identity-files.js';
import { coldKeyName } from '../../lib/gonka/key-names.js';
import { nodeIdOf } from '../../lib/gonka/node-id.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { BackupVars } from './vars.js';

const MIN_PASSPHRASE = 12;

/** The files, read with the api paused when its database is among them (a consistent copy), unpaused whatever happens. */
const readIdentity = async (ctx: ModuleContext, v: BackupVars): Promise<BackupFile[] | { error: string }> => {
  const paths = [...IDENTITY_PATHS, ...(v.backup_api_state ? API_STATE_PATHS : [])];
  const pause = v.backup_api_state && (await ctx.exec('docker pause api')).code === 0;
  try {
    const res = await ctx.exec(readFilesScript(v.gonka_deploy_dir, paths));
    if (res.code !== 0) return { error: `reading the identity files failed: ${res.stderr.trim()}` };
    return parseFiles(res.stdout);
  } finally {
    if (pause) await ctx.exec('docker unpause api');
  }
};

/** Written 0600 through a temporary file in the same directory (0700), so a half-written archive never has the name. */
const writePrivate = async (file: string, bytes: Buffer): Promise<void> => {
  await mkdir(posix.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(tmp, 0o600);
  await rename(tmp, file).catch(async (e) => {
    await rm(tmp, { force: true });
    throw e;
  });
};

/** Back the node's identity up into one encrypted archive on the control machine, then open it again to check it. */
export const backupIdentity = async (ctx: ModuleContext, v: BackupVars): Promise<ModuleResult> => {
  const passphrase = await backupPassphrase(v);
  if (typeof passphrase !== 'string') return { changed: false, failed: true, msg: passphrase.error };
  if (passphrase.length < MIN_PASSPHRASE) return { changed: false, failed: true, msg: `the backup passphrase is shorter than ${MIN_PASSPHRASE} characters` };
  const read = await readIdentity(ctx, v);
  if ('error' in read) return { changed: false, failed: true, msg: read.error };
  const cold = coldKeyName(v);
  const coldInfo = `.inference/keyring-file/${cold}.info`;
  // never the cold key: in the quick workflow it sits in the server keyring, and stays out of the archive
  const files = read.filter((f) => f.path !== coldInfo && !f.path.endsWith('.mnemonic'));
  const file = (p: string) => files.find((f) => f.path === p);
  const missing = [CONSENSUS_KEY_PATH, NODE_KEY_PATH, 'config.env'].filter((p) => !file(p));
  if (!files.some((f) => f.path.startsWith('.inference/keyring-file/'))) missing.push('.inference/keyring-file/');
  if (missing.length)
    return { changed: false, failed: true, msg: `not a complete node identity on ${ctx.hostname}: missing ${missing.join(', ')} in ${v.gonka_deploy_dir}` };
  if (!/^(export\s+)?KEYRING_PASSWORD=/m.test(file('config.env')!.content.toString('utf8')))
    return { changed: false, failed: true, msg: `${v.gonka_deploy_dir}/config.env has no KEYRING_PASSWORD: the keyring could not be opened after a restore` };
  const identity = {
    host: v.inventory_hostname,
    created: new Date().toISOString(),
    node_id: nodeIdOf(file(NODE_KEY_PATH)!.content.toString('utf8')),
    consensus_key: consensusPubkeyOf(file(CONSENSUS_KEY_PATH)!.content.toString('utf8')),
  };
  const dest = resolve(v.backup_dir, `${v.inventory_hostname}-${identity.created.replace(/[:.]/g, '-')}.nopbackup`);
  const report = [
    `node id ${identity.node_id}, consensus key ${identity.consensus_key}`,
    `${files.length} files: ${files.map((f) => f.path).join(', ')}`,
    ...(read.length !== files.length ? [`left out: the cold key '${cold}' (it never leaves the operator's keeping)`] : []),
  ];
  if (ctx.check) return { changed: true, msg: `would write ${dest}`, operator_report: [`would write ${dest} (0600)`, ...report] };
  const archive = await encryptArchive(packBackup(identity, files), passphrase, { ...DEFAULT_KDF, N: 2 ** v.backup_kdf_cost });
  await writePrivate(dest, archive);
  // read back what is on disk: the archive opens with this passphrase and holds this node
  const back = unpackBackup(await decryptArchive(await readFile(dest), passphrase));
  if (back.manifest.node_id !== identity.node_id || back.files.length !== files.length)
    return { changed: true, failed: true, msg: `${dest} does not read back as written` };
  return { changed: true, msg: `wrote ${dest}`, archive: dest, operator_report: [`wrote ${dest} (0600, encrypted, opened again to check)`, ...report] };
};
