import { readFile, rename, copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { dataDir } from './network.js';

// a tag, optionally pinned to a digest (upstream pins the bridge as TAG@sha256:…)
const tag = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$/, 'expected a Docker image tag (TAG or TAG@sha256:DIGEST)');

/** Pinned image tags of one Gonka release (data/versions.yml). */
export const VersionsSchema = z.strictObject({
  /** the gonka-ai/gonka release these tags come from */
  release: z.string().regex(/^v\d+\.\d+\.\d+\S*$/, 'expected vX.Y.Z'),
  tmkms: tag,
  node: tag,
  api: tag,
  edge_api: tag,
  versiond: tag,
  bridge: tag,
  proxy: tag,
  proxy_ssl: tag,
  explorer: tag,
  mlnode: tag,
  nginx: tag,
});

export type Versions = z.output<typeof VersionsSchema>;
export type Component = Exclude<keyof Versions, 'release'>;

export const IMAGE_REPOSITORIES: Record<Component, string> = {
  tmkms: 'ghcr.io/product-science/tmkms-softsign-with-keygen',
  node: 'ghcr.io/product-science/inferenced',
  api: 'ghcr.io/product-science/api',
  edge_api: 'ghcr.io/product-science/edge-api',
  versiond: 'ghcr.io/product-science/versiond',
  bridge: 'ghcr.io/product-science/bridge',
  proxy: 'ghcr.io/product-science/proxy',
  proxy_ssl: 'ghcr.io/product-science/proxy-ssl',
  explorer: 'ghcr.io/product-science/explorer',
  mlnode: 'ghcr.io/gonka-ai/mlnode',
  nginx: 'nginx',
};

/** Components whose tags follow the chain release (the others have their own release cycles). */
export const RELEASE_COMPONENTS = ['tmkms', 'node', 'api', 'edge_api', 'versiond', 'proxy', 'proxy_ssl'] as const satisfies readonly Component[];

export const imageOf = (component: Component, versions: Versions): string => `${IMAGE_REPOSITORIES[component]}:${versions[component]}`;

export const versionsFile = (dir = dataDir): string => join(dir, 'versions.yml');

export const parseVersions = (text: string, file: string): Versions => {
  const res = VersionsSchema.safeParse(parse(text));
  if (!res.success) throw new Error(`${file}: ${z.prettifyError(res.error)}`);
  return res.data;
};

export const loadVersions = async (file = versionsFile()): Promise<Versions> => parseVersions(await readFile(file, 'utf8'), file);

/** The pinned versions under the inventory's `gonka_versions_overrides` mapping; the result is validated again. */
export const withVersionOverrides = (versions: Versions, overrides: Record<string, unknown>): Versions => {
  const res = VersionsSchema.safeParse({ ...versions, ...overrides });
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new Error(`variable 'gonka_versions_overrides.${issue.path.join('.')}': ${issue.message}`);
};

const HEADER = '# Image tags nop deploys. `nop versions --refresh` rewrites this file (the previous one is kept as versions.yml.bak).\n';

/** Replace the versions file atomically (temp file + rename), keeping the previous file as `<file>.bak`. */
export const writeVersions = async (versions: Versions, file = versionsFile()): Promise<string> => {
  const valid = VersionsSchema.parse(versions);
  const backup = `${file}.bak`;
  const tmp = `${file}.${process.pid}.tmp`;
  await copyFile(file, backup);
  await writeFile(tmp, HEADER + stringify(valid));
  await rename(tmp, file);
  return backup;
};
