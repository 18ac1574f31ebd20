import { posix } from 'node:path';
import { fileChecksum } from '../../lib/facts/builtin/file-checksum.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import type { UpgradeBinary } from '../../lib/gonka/upgrade-plan.js';
import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import { OPERATOR_REPORT } from '../../lib/runner/operator-report.js';
import type { UpgradePrestageVars } from './vars.js';

const target = (b: UpgradeBinary): string => posix.join(b.dir, b.binary);

export const stageFacts = (v: UpgradePrestageVars): FactRequest[] => (v.upgrade_prestage_binaries ?? []).map((b) => request(fileChecksum, target(b)));

// Runs on the host, for every binary (5 arguments each): download the zip into a private temp dir, check its sha256,
// unpack it, check the binary's sha256. Only when every binary passed, each goes in place: copied beside its final
// name with mode 0755 (upstream's chmod +x), then renamed over it. Any failure leaves nothing behind (the trap).
const STAGE = `set -u
work=$(mktemp -d "$1/.nop-upgrade.XXXXXX") || exit 1
trap 'rm -rf -- "$work"' EXIT
shift
n=0
: > "$work/verified"
while [ $# -ge 5 ]; do
  bin=$1 url=$2 zsum=$3 bsum=$4 dir=$5
  shift 5
  n=$((n + 1))
  zip="$work/$n.zip"
  curl -fsSL --retry 3 --connect-timeout 10 -o "$zip" "$url" || { echo "$bin: downloading $url failed" >&2; exit 3; }
  got=$(sha256sum "$zip" | cut -d' ' -f1)
  [ "$got" = "$zsum" ] || { echo "$bin: the zip from $url has sha256 $got, the plan says $zsum: refused, nothing installed" >&2; exit 4; }
  mkdir "$work/$n" && unzip -q -o "$zip" -d "$work/$n" >/dev/null || { echo "$bin: unpacking $url failed" >&2; exit 5; }
  found=$(find "$work/$n" -type f -name "$bin" | head -n 1)
  [ -n "$found" ] || { echo "$bin: the zip from $url holds no $bin" >&2; exit 5; }
  got=$(sha256sum "$found" | cut -d' ' -f1)
  [ "$got" = "$bsum" ] || { echo "$bin: the unpacked binary has sha256 $got, the announcement says $bsum: refused, nothing installed" >&2; exit 6; }
  printf '%s\\n%s\\n' "$found" "$dir" >> "$work/verified"
done
while IFS= read -r found && IFS= read -r dir; do
  name=$(basename "$found")
  mkdir -p "$dir" && install -m 0755 "$found" "$dir/.$name.nop-new" && mv -f "$dir/.$name.nop-new" "$dir/$name" || { echo "placing $name in $dir failed" >&2; exit 7; }
  echo "$dir/$name"
done < "$work/verified"`;

/** The script's arguments: the staging parent (the deploy dir: the same disk) and 5 per binary. */
export const stageArgs = (deployDir: string, binaries: readonly UpgradeBinary[]): string[] => [
  deployDir,
  ...binaries.flatMap((b) => [b.binary, b.url, b.zip_sha256, b.binary_sha256, b.dir]),
];

/** Binaries already in place with the announced sum are kept; the others are downloaded, verified twice and placed. */
export const stageBinaries = async (ctx: ModuleContext, v: UpgradePrestageVars): Promise<ModuleResult> => {
  const binaries = v.upgrade_prestage_binaries ?? [];
  const missing: UpgradeBinary[] = [];
  const kept: string[] = [];
  for (const b of binaries) {
    const sum = await ctx.facts.read(fileChecksum, target(b));
    if (sum === b.binary_sha256) kept.push(`${target(b)} in place (sha256 ${sum})`);
    else missing.push(b);
  }
  if (missing.length === 0) return { changed: false, msg: `both binaries in place, sha256 verified`, [OPERATOR_REPORT]: kept };
  const plan = missing.map((b) => `${target(b)} from ${b.url}`);
  if (ctx.check)
    return {
      changed: true,
      msg: `would download, verify (zip and binary sha256) and place ${plan.join('; ')}`,
      [OPERATOR_REPORT]: [...kept, ...plan.map((p) => `would place ${p}`)],
    };
  const res = await ctx.exec(`sh -c ${shellJoin([STAGE, 'stage', ...stageArgs(v.gonka_deploy_dir, missing)])}`);
  if (res.code !== 0) return { changed: false, failed: true, msg: res.stderr.trim().split('\n').at(-1) || `staging failed (rc ${res.code})` };
  const placed = res.stdout.trim().split('\n').filter(Boolean);
  // read back: what is on disk now is what the announcement says
  ctx.facts.invalidate(missing.map((b) => ({ fact: fileChecksum, arg: target(b) })));
  for (const b of missing) {
    const sum = await ctx.facts.read(fileChecksum, target(b));
    if (sum !== b.binary_sha256) return { changed: true, failed: true, msg: `${target(b)} reads back with sha256 ${sum ?? 'none'}, not ${b.binary_sha256}` };
  }
  const lines = missing.map((b) => `${target(b)} placed, 0755 (zip sha256 ${b.zip_sha256} and binary sha256 ${b.binary_sha256} verified)`);
  return { changed: true, msg: `placed ${placed.join(', ')}`, [OPERATOR_REPORT]: [...kept, ...lines] };
};
