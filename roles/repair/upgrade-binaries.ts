import { fileModule } from '../../lib/modules/builtin/file.js';
import { getUrlModule } from '../../lib/modules/builtin/get_url.js';
import { posix } from 'node:path';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { UpgradeInfo } from './diagnosis.js';
import type { RepairVars } from './vars.js';

/** One binary of an upgrade plan: where Cosmovisor expects it and where the plan says it comes from. */
export interface PlannedBinary {
  binary: 'inferenced' | 'decentralized-api';
  url: string;
  sha256?: string;
  dest: string;
}

interface PlanInfo {
  binaries?: Record<string, string>;
  api_binaries?: Record<string, string>;
}

const splitChecksum = (raw: string): { url: string; sha256?: string } => {
  const u = new URL(raw);
  const checksum = u.searchParams.get('checksum');
  u.searchParams.delete('checksum');
  const m = checksum ? /^sha256:([0-9a-fA-F]{64})$/.exec(checksum) : null;
  return { url: u.toString(), sha256: m?.[1].toLowerCase() };
};

/** The node and api binaries named by an upgrade plan's `info` (JSON in a string), for this platform. */
export const plannedBinaries = (v: RepairVars, upgrade: UpgradeInfo): PlannedBinary[] | { error: string } => {
  let info: PlanInfo;
  try {
    info = JSON.parse(upgrade.info) as PlanInfo;
  } catch {
    return { error: `upgrade ${upgrade.name}: its info is not JSON, so it names no binaries: ${upgrade.info.slice(0, 200)}` };
  }
  const node = info.binaries?.[v.upgrade_platform];
  const api = info.api_binaries?.[v.upgrade_platform];
  if (!node) return { error: `upgrade ${upgrade.name} names no ${v.upgrade_platform} node binary` };
  const out: PlannedBinary[] = [
    { binary: 'inferenced', ...splitChecksum(node), dest: posix.join(v.gonka_deploy_dir, '.inference/cosmovisor/upgrades', upgrade.name, 'bin') },
  ];
  if (api)
    out.push({ binary: 'decentralized-api', ...splitChecksum(api), dest: posix.join(v.gonka_deploy_dir, '.dapi/cosmovisor/upgrades', upgrade.name, 'bin') });
  return out;
};

// Runs on the host: unpack a release zip (or take a bare binary), find the binary, install it mode 0755.
const INSTALL = `set -e
file=$1 bin=$2 dest=$3
work=$(mktemp -d --tmpdir="$dest/..")
trap 'rm -rf -- "$work"' EXIT
case "$file" in
  *.zip) unzip -q -o -- "$file" -d "$work"; found=$(find "$work" -type f -name "$bin" | head -n 1) ;;
  *) found=$file ;;
esac
[ -n "$found" ] || { echo "no $bin inside $(basename -- "$file")" >&2; exit 5; }
install -m 0755 -- "$found" "$dest/$bin.new"
mv -f -- "$dest/$bin.new" "$dest/$bin"
sha256sum -- "$dest/$bin" | cut -d' ' -f1`;

/** Download (sha256 verified by get_url before it replaces anything), unpack and place one binary. */
export const installBinary = async (ctx: ModuleContext, v: RepairVars, b: PlannedBinary): Promise<ModuleResult> => {
  if (!b.sha256 && !v.allow_unverified) {
    return {
      changed: false,
      failed: true,
      msg: `${b.binary}: ${b.url} has no published sha256; refusing an unverified binary (set allow_unverified=true to accept it)`,
    };
  }
  const dir = await ctx.call(fileModule, { path: b.dest, state: 'directory', mode: '0755' });
  if (dir.failed) return dir;
  const download = posix.join(b.dest, '..', posix.basename(new URL(b.url).pathname));
  const got = await ctx.call(getUrlModule, { url: b.url, dest: download, force: true, ...(b.sha256 ? { checksum: `sha256:${b.sha256}` } : {}) });
  if (got.failed) return { changed: false, failed: true, msg: `${b.binary}: download of ${b.url} refused: ${got.msg}` };
  const res = await ctx.exec(`sh -c ${shellJoin([INSTALL, 'install', download, b.binary, b.dest])}`);
  if (res.code !== 0) return { changed: true, failed: true, msg: `${b.binary}: ${res.stderr.trim()}` };
  return {
    changed: true,
    msg: `${b.binary} → ${b.dest} (${b.sha256 ? `download sha256 ${b.sha256} verified` : 'UNVERIFIED'}; binary sha256 ${res.stdout.trim()})`,
  };
};
