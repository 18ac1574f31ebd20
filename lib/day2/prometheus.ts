import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HostReport } from './status-report.js';

const LEVEL_VALUE = { OK: 0, WARN: 1, FAIL: 2 } as const;

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (l: Record<string, string>): string =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${label(v)}"`)
    .join(',')}}`;

interface Metric {
  name: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

const numeric = (reports: readonly HostReport[], pick: (r: HostReport) => number | null | undefined) =>
  reports.flatMap((r) => {
    const v = pick(r);
    return v === null || v === undefined ? [] : [{ labels: { host: r.host }, value: v }];
  });

const metricsOf = (reports: readonly HostReport[]): Metric[] => [
  { name: 'nop_gonka_up', help: 'Host reached and read (1) or not (0).', samples: reports.map((r) => ({ labels: { host: r.host }, value: r.error ? 0 : 1 })) },
  {
    name: 'nop_gonka_status',
    help: 'Worst check level of the host: 0 OK, 1 WARN, 2 FAIL.',
    samples: reports.map((r) => ({ labels: { host: r.host }, value: LEVEL_VALUE[r.level] })),
  },
  {
    name: 'nop_gonka_check',
    help: 'Level of one check: 0 OK, 1 WARN, 2 FAIL.',
    samples: reports.flatMap((r) => r.checks.map((c) => ({ labels: { host: r.host, check: c.id }, value: LEVEL_VALUE[c.level] }))),
  },
  {
    name: 'nop_gonka_block_height',
    help: 'Latest block height of the node.',
    samples: numeric(reports, (r) => (r.data?.chain && !('error' in r.data.chain) ? r.data.chain.height : null)),
  },
  { name: 'nop_gonka_peers', help: 'Connected peers of the node.', samples: numeric(reports, (r) => r.data?.peers) },
  {
    name: 'nop_gonka_miss_rate',
    help: 'Share of missed inference requests this epoch (0..1).',
    samples: numeric(reports, (r) => {
      const p = r.data?.participant;
      const total = (p?.inferenceCount ?? 0) + (p?.missedRequests ?? 0);
      return p && p.missedRequests !== null && total > 0 ? p.missedRequests / total : null;
    }),
  },
  {
    name: 'nop_gonka_jailed',
    help: 'Validator jailed (1) or not (0).',
    samples: numeric(reports, (r) =>
      r.data?.participant?.jailed === null || r.data?.participant === undefined || r.data.participant === null ? null : Number(r.data.participant.jailed),
    ),
  },
  { name: 'nop_gonka_weight', help: 'Participant weight in the current epoch.', samples: numeric(reports, (r) => r.data?.participant?.weight) },
];

/** node_exporter textfile-collector format. */
export const renderPrometheus = (reports: readonly HostReport[]): string =>
  metricsOf(reports)
    .filter((m) => m.samples.length > 0)
    .map((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} gauge`, ...m.samples.map((s) => `${m.name}${labels(s.labels)} ${s.value}`)].join('\n'))
    .join('\n') + '\n';

/** Written beside the target and renamed over it: node_exporter never reads half a file. */
export const writePrometheusFile = async (file: string, reports: readonly HostReport[]): Promise<void> => {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, renderPrometheus(reports), { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
};
