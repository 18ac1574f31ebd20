import { renderValue } from '../template/render.js';
import { ML_GROUP, NETWORK_GROUP } from '../gonka/topology.js';

/** What `nop status` needs to know about a host from the inventory. */
export interface StatusTarget {
  host: string;
  network: boolean;
  ml: boolean;
  deployDir: string;
  hfHome: string;
  accountPubkey?: string;
  /** the address internal ports may listen on besides loopback (split topology) */
  privateIp?: string;
}

const DEFAULT_DEPLOY_DIR = '/opt/gonka/deploy/join';
const DEFAULT_HF_HOME = '/mnt/shared';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const KEYS = ['group_names', 'gonka_deploy_dir', 'hf_home', 'account_pubkey', 'private_ip'];

// only the variables status reads are rendered: another one's template may need facts that only a play has
const rendered = (raw: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    KEYS.map((k) => {
      try {
        return [k, renderValue(raw[k], raw)];
      } catch {
        return [k, undefined];
      }
    }),
  );

export const statusTarget = (host: string, rawVars: Record<string, unknown>): StatusTarget => {
  const vars = rendered(rawVars);
  const groups = Array.isArray(vars.group_names) ? (vars.group_names as string[]) : [];
  const network = groups.includes(NETWORK_GROUP);
  return {
    host,
    network,
    ml: groups.includes(ML_GROUP),
    deployDir: str(vars.gonka_deploy_dir) ?? DEFAULT_DEPLOY_DIR,
    hfHome: str(vars.hf_home) ?? DEFAULT_HF_HOME,
    accountPubkey: str(vars.account_pubkey),
    privateIp: str(vars.private_ip),
  };
};
