import { posix } from 'node:path';
import { z } from 'zod';

/**
 * A chain upgrade plan as x/upgrade holds it (gonka-interfaces.md §4): the name is the Cosmovisor directory, `info`
 * a JSON string whose `binaries` / `api_binaries` map a platform to `<url>?checksum=sha256:<hex>` (the zip's sum).
 */
export const UpgradePlanSchema = z.looseObject({ name: z.string().min(1), height: z.coerce.number().int().positive(), info: z.string().default('') });
export type UpgradePlan = z.output<typeof UpgradePlanSchema>;

/** The two daemons Cosmovisor upgrades, each in its own home of the deploy dir. */
export const UPGRADE_DAEMONS = [
  { binary: 'inferenced', home: '.inference', key: 'binaries' },
  { binary: 'decentralized-api', home: '.dapi', key: 'api_binaries' },
] as const;
export type UpgradeBinaryName = (typeof UPGRADE_DAEMONS)[number]['binary'];

/** One binary of a plan: where it comes from (a release zip and its sum) and where Cosmovisor looks for it. */
export interface UpgradeBinary {
  binary: UpgradeBinaryName;
  /** the zip's URL without the checksum query */
  url: string;
  zip_sha256: string;
  /** the unpacked binary's sum (the announcement's), which the plan does not carry */
  binary_sha256: string;
  /** `<deploy>/<home>/cosmovisor/upgrades/<name>/bin` */
  dir: string;
  /** the release tag in the URL (`v0.2.16-post1`), when the URL names one */
  release?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** `<url>?checksum=sha256:<hex>` → the URL and the sum, or why not. */
export const splitChecksum = (raw: string): { url: string; sha256: string } | { error: string } => {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { error: `${raw} is not a URL` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: `${raw}: only http(s) URLs are downloaded` };
  const checksum = u.searchParams.get('checksum') ?? '';
  u.searchParams.delete('checksum');
  const m = /^sha256:([0-9a-fA-F]{64})$/.exec(checksum);
  if (!m) return { error: `${u.toString()} carries no ?checksum=sha256:<64 hex digits>: refusing a binary whose zip cannot be verified` };
  return { url: u.toString(), sha256: m[1].toLowerCase() };
};

/** The release tag a GitHub release asset URL names (`…/releases/download/release%2Fv0.2.16-post1/…`). */
export const releaseOf = (url: string): string | undefined => {
  const m = /\/release(?:%2F|\/)(v\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?)\//i.exec(url);
  return m?.[1];
};

const versionTuple = (tag: string): number[] | undefined => {
  const m = /^v(\d+)\.(\d+)\.(\d+)(?:-post(\d+))?$/.exec(tag);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0)] : undefined;
};

const FIRST_ADX_RELEASE = [0, 2, 16, 1];

/**
 * Whether a release's upgrade binaries need ADX: those from v0.2.16-post1 on are built without portable BLST
 * (gonka-interfaces.md §4, gonka issue #1949). A URL naming no release we can order is assumed to need it.
 */
export const releaseNeedsAdx = (release: string | undefined): boolean => {
  const v = release ? versionTuple(release) : undefined;
  if (!v) return true;
  for (let i = 0; i < v.length; i++) if (v[i] !== FIRST_ADX_RELEASE[i]) return v[i] > FIRST_ADX_RELEASE[i];
  return true;
};

/** The plan's node and api binaries for `platform`, with the binaries' own sums; or every reason it cannot be staged. */
export const planBinaries = (
  plan: UpgradePlan,
  opts: { deployDir: string; platform: string; binarySha256: Partial<Record<UpgradeBinaryName, string>> },
): { binaries: UpgradeBinary[] } | { errors: string[] } => {
  // the name becomes a directory: a plan named ../x must not place anything outside upgrades/
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(plan.name)) return { errors: [`upgrade plan name ${JSON.stringify(plan.name)} is not a plain directory name`] };
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(plan.info) as Record<string, unknown>;
  } catch {
    return { errors: [`upgrade ${plan.name}: its info is not JSON, so it names no binaries: ${plan.info.slice(0, 200)}`] };
  }
  const errors: string[] = [];
  const binaries: UpgradeBinary[] = [];
  for (const d of UPGRADE_DAEMONS) {
    const raw = (info[d.key] as Record<string, unknown> | undefined)?.[opts.platform];
    if (typeof raw !== 'string') {
      errors.push(`upgrade ${plan.name} names no ${opts.platform} ${d.binary} (info.${d.key})`);
      continue;
    }
    const split = splitChecksum(raw);
    if ('error' in split) {
      errors.push(`${d.binary}: ${split.error}`);
      continue;
    }
    const bin = opts.binarySha256[d.binary]?.toLowerCase();
    if (!bin || !SHA256.test(bin)) {
      errors.push(
        `${d.binary}: the unpacked binary's sha256 is ${bin ? `not 64 hex digits (${bin})` : 'missing'}: set upgrade_binary_sha256.${d.binary} to the sum the release announcement gives`,
      );
      continue;
    }
    const dir = posix.join(opts.deployDir, d.home, 'cosmovisor/upgrades', plan.name, 'bin');
    binaries.push({ binary: d.binary, url: split.url, zip_sha256: split.sha256, binary_sha256: bin, dir, release: releaseOf(split.url) });
  }
  return errors.length ? { errors } : { binaries };
};

/** A proposal carrying a software upgrade, as `query gov proposals -o json` prints it. */
export interface UpgradeProposal {
  id: string;
  status: string;
  title: string;
  plan: UpgradePlan;
}

const ProposalsSchema = z.object({
  proposals: z
    .array(
      z.looseObject({
        id: z.coerce.string(),
        status: z.string().default(''),
        title: z.string().default(''),
        messages: z.array(z.looseObject({ '@type': z.string().default(''), plan: z.unknown().optional() })).default([]),
      }),
    )
    .default([]),
});

const SOFTWARE_UPGRADE = '/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade';

/** Every proposal whose messages schedule a software upgrade (MsgSoftwareUpgrade's plan). */
export const upgradeProposals = (json: unknown): UpgradeProposal[] => {
  const parsed = ProposalsSchema.safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.proposals.flatMap((p) =>
    p.messages.flatMap((m) => {
      if (m['@type'] !== SOFTWARE_UPGRADE) return [];
      const plan = UpgradePlanSchema.safeParse(m.plan);
      return plan.success ? [{ id: p.id, status: p.status.replace(/^PROPOSAL_STATUS_/, '').toLowerCase(), title: p.title, plan: plan.data }] : [];
    }),
  );
};

export type PlanChoice = { proposal: UpgradeProposal } | { none: string } | { refuse: string };

/**
 * The upgrade to pre-stage: the one named (`wanted`), which must have passed; else the passed one still ahead of the
 * chain (`height`). A named upgrade whose height is behind already happened; a proposal still voting or rejected is
 * no approval.
 */
export const chooseUpgrade = (proposals: UpgradeProposal[], opts: { wanted?: string; height: number }): PlanChoice => {
  if (opts.wanted) {
    const named = proposals.filter((p) => p.plan.name === opts.wanted);
    const passed = named.find((p) => p.status === 'passed');
    if (!passed) {
      if (named.length === 0) return { refuse: `no governance proposal schedules an upgrade named ${opts.wanted}` };
      const p = named[0];
      return { refuse: `upgrade ${opts.wanted} is not approved: proposal ${p.id} is ${p.status.replace(/_/g, ' ')}` };
    }
    if (passed.plan.height <= opts.height)
      return { none: `upgrade ${opts.wanted} (height ${passed.plan.height}) is behind the chain (height ${opts.height}): it already ran` };
    return { proposal: passed };
  }
  const ahead = proposals.filter((p) => p.status === 'passed' && p.plan.height > opts.height).sort((a, b) => a.plan.height - b.plan.height);
  if (ahead.length === 0) return { none: `no approved upgrade ahead of height ${opts.height}: nothing to pre-stage` };
  return { proposal: ahead[0] };
};
