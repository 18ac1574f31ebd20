import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE } from './deploy-files.js';
import type { StackFiles } from './stack-diff.js';

/** Where raw files of gonka-ai/gonka are served, by ref: `${base}/${ref}/deploy/join/${file}`. */
export const DEFAULT_UPSTREAM_SOURCE = 'https://raw.githubusercontent.com/gonka-ai/gonka';

/** Upstream's name of each file nop compares (its config.env is a template the operator copies). */
const UPSTREAM_NAMES: Record<keyof StackFiles, string> = {
  [CONFIG_ENV]: 'config.env.template',
  [NETWORK_COMPOSE]: NETWORK_COMPOSE,
  [MLNODE_COMPOSE]: MLNODE_COMPOSE,
};

/** A release's files could not be read. */
export class UpstreamSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamSourceError';
  }
}

const REF = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/;

/** The ref of a release: `release/vX.Y.Z`, as gonka-ai/gonka tags them. */
export const releaseRef = (release: string): string => `release/${release}`;

/** deploy/join's files from a directory (a checkout of gonka's deploy/join, or a copy of its files). */
export const readUpstreamDir = async (dir: string): Promise<StackFiles> => {
  const out: StackFiles = {};
  for (const [file, name] of Object.entries(UPSTREAM_NAMES) as [keyof StackFiles, string][]) {
    const path = join(dir, name);
    out[file] = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UpstreamSourceError(`cannot read ${path} (${e.code ?? e.message})`);
    });
  }
  return out;
};

/** deploy/join's files of a ref (a tag such as release/v0.2.15, a branch, a commit) from GitHub. */
export const fetchUpstreamRef = async (ref: string, source = DEFAULT_UPSTREAM_SOURCE, timeoutMs = 15_000): Promise<StackFiles> => {
  if (!REF.test(ref)) throw new UpstreamSourceError(`--ref ${JSON.stringify(ref)} is not a git ref (letters, digits and . _ / -)`);
  const out: StackFiles = {};
  for (const [file, name] of Object.entries(UPSTREAM_NAMES) as [keyof StackFiles, string][]) {
    const url = `${source.replace(/\/+$/, '')}/${ref}/deploy/join/${name}`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
      throw new UpstreamSourceError(`cannot read ${url}: ${cause}`);
    }
    if (!res.ok) throw new UpstreamSourceError(`cannot read ${url}: HTTP ${res.status}${res.status === 404 ? ' (no such ref or file)' : ''}`);
    out[file] = await res.text();
  }
  return out;
};
