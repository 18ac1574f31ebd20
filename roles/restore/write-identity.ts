import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BackupArchiveError, decryptArchive, unpackBackup } from '../../lib/gonka/backup-archive.js';
import { backupPassphrase } from '../../lib/gonka/backup-passphrase.js';
import { consensusPubkeyOf } from '../../lib/gonka/consensus-key.js';
import { API_STATE_PATHS, CONSENSUS_KEY_PATH, NODE_KEY_PATH, parseFiles, readFilesScript, writeFileScript } from '../../lib/gonka/identity-files.js';
import { nodeIdOf } from '../../lib/gonka/node-id.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { RestoreVars } from './vars.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The identity already on the target, if any (node id, consensus key). */
const targetIdentity = (files: { path: string; content: Buffer }[]): { node_id?: string; consensus_key?: string } => {
  const text = (p: string) => files.find((f) => f.path === p)?.content.toString('utf8');
  const nodeKey = text(NODE_KEY_PATH);
  const consensus = text(CONSENSUS_KEY_PATH);
  return { node_id: nodeKey ? nodeIdOf(nodeKey) : undefined, consensus_key: consensus ? consensusPubkeyOf(consensus) : undefined };
};

/**
 * Open the archive (a wrong passphrase or an altered byte is refused before anything is written), check the guards,
 * then write the files that differ, each atomically with its mode.
 */
export const restoreIdentity = async (ctx: ModuleContext, v: RestoreVars): Promise<ModuleResult> => {
  const fail = (msg: string): ModuleResult => ({ changed: false, failed: true, msg: `${msg}; nothing was written` });
  const passphrase = await backupPassphrase(v);
  if (typeof passphrase !== 'string') return fail(passphrase.error);
  let opened: ReturnType<typeof unpackBackup>;
  try {
    opened = unpackBackup(await decryptArchive(await readFile(v.backup_archive), passphrase));
  } catch (e) {
    if (e instanceof BackupArchiveError) return fail(`refusing ${v.backup_archive}: ${e.message}`);
    return fail(`${v.backup_archive}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { manifest, files } = opened;
  const identity = `node id ${manifest.node_id}, consensus key ${manifest.consensus_key} (backed up from ${manifest.host} at ${manifest.created})`;
  if (!v.old_server_stopped)
    return fail(
      `restoring ${identity}: the server it was taken from must be stopped for good first (two servers signing with one consensus key double-sign and are slashed); then set old_server_stopped=true`,
    );
  const current = await ctx.exec(readFilesScript(v.gonka_deploy_dir, manifest.files));
  if (current.code !== 0 && current.code !== 3) return fail(`reading the target's files failed: ${current.stderr.trim()}`);
  const there = current.code === 3 ? [] : parseFiles(current.stdout);
  const now = targetIdentity(there);
  const other = (now.node_id && now.node_id !== manifest.node_id) || (now.consensus_key && now.consensus_key !== manifest.consensus_key);
  if (other && !v.overwrite_identity)
    return fail(
      `${ctx.hostname} already has another identity (node id ${now.node_id ?? 'none'}, consensus key ${now.consensus_key ?? 'none'}); set overwrite_identity=true to replace it with ${identity}`,
    );
  const changed = files.filter((f) => {
    const t = there.find((x) => x.path === f.path);
    return !t || sha(t.content) !== sha(f.content) || t.mode !== f.mode;
  });
  // the api's database moves on as soon as the api runs: it is restored with the identity, never on its own
  const apiState = (f: { path: string }) => (API_STATE_PATHS as readonly string[]).includes(f.path);
  const differs = changed.some((f) => !apiState(f)) ? changed : [];
  const facts = { restore_manifest: { host: manifest.host, node_id: manifest.node_id, consensus_key: manifest.consensus_key, files: manifest.files } };
  const report = [identity, ...differs.map((f) => `${ctx.check ? 'would write' : 'write'} ${f.path} (${f.mode.toString(8)})`)];
  if (differs.length === 0)
    return {
      changed: false,
      msg: `the identity is already in place: ${identity}`,
      operator_report: [identity],
      ansible_facts: { ...facts, restore_written: false },
    };
  if (ctx.check)
    return { changed: true, msg: `would write ${differs.length} files`, operator_report: report, ansible_facts: { ...facts, restore_written: true } };
  for (const f of differs) {
    const res = await ctx.exec(writeFileScript(v.gonka_deploy_dir, f), { stdin: f.content.toString('base64') });
    if (res.code !== 0) return { changed: true, failed: true, msg: `writing ${f.path} failed: ${res.stderr.trim()}` };
  }
  return { changed: true, msg: `wrote ${differs.length} files`, operator_report: report, ansible_facts: { ...facts, restore_written: true } };
};
