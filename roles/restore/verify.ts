import { posix } from 'node:path';
import { consensusPubkeyOf } from '../../lib/gonka/consensus-key.js';
import { CONSENSUS_KEY_PATH, NODE_KEY_PATH, parseFiles, readFilesScript } from '../../lib/gonka/identity-files.js';
import { nodeIdOf } from '../../lib/gonka/node-id.js';
import { pollUntil } from '../../lib/gonka/poll.js';
import { hostHttp } from '../../lib/modules/host-http.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { RestoreVars } from './vars.js';

interface CometStatus {
  result?: { node_info?: { id?: string }; validator_info?: { pub_key?: { value?: string } } };
}

/** The node id and consensus key the target's files hold now, and what the running node reports at /status. */
export const verifyIdentity = async (ctx: ModuleContext, v: RestoreVars): Promise<ModuleResult> => {
  const want = v.restore_manifest!;
  if (ctx.check) return { changed: false, msg: `would check node id ${want.node_id} and consensus key ${want.consensus_key} on the files and at /status` };
  const read = await ctx.exec(readFilesScript(v.gonka_deploy_dir, [NODE_KEY_PATH, CONSENSUS_KEY_PATH]));
  const files = parseFiles(read.stdout);
  const text = (p: string) => files.find((f) => f.path === p)?.content.toString('utf8') ?? '';
  const onDisk = { node_id: nodeIdOf(text(NODE_KEY_PATH)), consensus_key: consensusPubkeyOf(text(CONSENSUS_KEY_PATH)) };
  if (onDisk.node_id !== want.node_id || onDisk.consensus_key !== want.consensus_key)
    return {
      changed: false,
      failed: true,
      msg: `the files on ${ctx.hostname} hold node id ${onDisk.node_id}, consensus key ${onDisk.consensus_key}: not the archive's`,
    };
  const deployed = await ctx.exec(`test -f ${posix.join(v.gonka_deploy_dir, 'docker-compose.yml')}`);
  if (deployed.code !== 0)
    return {
      changed: false,
      msg: 'the files hold the archived identity',
      operator_actions: [
        `start the node on ${ctx.hostname} (nop run playbooks/setup.yml -l ${ctx.hostname}), then run restore.yml again to verify it at /status`,
      ],
    };
  let last = '';
  const seen = await pollUntil(ctx, { timeout: v.restore_timeout, interval: v.restore_poll_interval }, async () => {
    const res = await hostHttp((s, o) => ctx.exec(s, o), { url: `${v.gonka_rpc_url.replace(/\/+$/, '')}/status`, timeout: 5 });
    const r = (res.json as CometStatus | undefined)?.result;
    const got = { node_id: r?.node_info?.id, consensus_key: r?.validator_info?.pub_key?.value };
    last = res.error ?? `node id ${got.node_id}, consensus key ${got.consensus_key}`;
    return got.node_id === want.node_id && got.consensus_key === want.consensus_key ? { done: got } : { waiting: `/status: ${last}` };
  });
  if (!seen)
    return {
      changed: false,
      failed: true,
      msg: `after ${v.restore_timeout} s /status still reports ${last}, not node id ${want.node_id}, consensus key ${want.consensus_key}`,
    };
  return {
    changed: false,
    msg: `node id ${want.node_id} and consensus key ${want.consensus_key} unchanged (files and /status)`,
    operator_report: [`/status: node id ${want.node_id}, consensus key ${want.consensus_key}: the archived identity`],
  };
};
