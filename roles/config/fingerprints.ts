import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { fileContent } from '../../lib/facts/builtin/file-content.js';
import { request, type FactRequest } from '../../lib/facts/fact.js';
import { CONFIG_ENV, composeFilesOf, mountedFilesOf } from '../../lib/gonka/deploy-files.js';
import type { Deployment } from '../../lib/gonka/deployment.js';
import { parseEnvFile, serviceFingerprints, type Fingerprints } from '../../lib/gonka/service-fingerprints.js';
import type { ModuleContext } from '../../lib/modules/module.js';

// config.env, the files the services mount, the compose files: what a service's fingerprint is made from
const inputsOf = (d: Deployment): string[] => [CONFIG_ENV, ...mountedFilesOf(d), ...composeFilesOf(d)].map((f) => posix.join(d.deploy_dir, f));

/** The file facts the fingerprints are computed from: read with the play's other facts. */
export const fingerprintFacts = (d: Deployment | undefined): FactRequest[] => (d ? inputsOf(d).map((p) => request(fileContent, p)) : []);

/**
 * Fingerprints of the services defined by the compose files now in the deploy directory (absent files are left
 * out). A template that wrote a file invalidated its facts, so the handler reads what was just written.
 */
export const readFingerprints = async (ctx: ModuleContext, d: Deployment): Promise<Fingerprints> => {
  await ctx.facts.readAll(fingerprintFacts(d));
  return fingerprintsOf(d, async (name) => (await ctx.facts.read(fileContent, posix.join(d.deploy_dir, name)))?.toString('utf8'));
};

/**
 * Fingerprints of the files the templates render now: what the deploy directory will hold. Check mode writes
 * nothing, so this is how it knows which services a run would recreate.
 */
export const renderedFingerprints = (ctx: ModuleContext, d: Deployment): Promise<Fingerprints> =>
  fingerprintsOf(d, async (name) => ctx.render(await readFile(await ctx.findTemplate(`${name}.hbs`), 'utf8')));

/** Fingerprints of the services the compose files among `text`'s define, from the deploy-dir files' texts. */
export const fingerprintsOf = async (d: Deployment, text: (name: string) => Promise<string | undefined>): Promise<Fingerprints> => {
  const env = parseEnvFile((await text(CONFIG_ENV)) ?? '');
  const files: Record<string, string> = {};
  for (const name of mountedFilesOf(d)) {
    const content = await text(name);
    if (content !== undefined) files[name] = content;
  }
  const out: Fingerprints = {};
  for (const name of composeFilesOf(d)) {
    const compose = await text(name);
    if (compose !== undefined) out[name] = serviceFingerprints(compose, env, files);
  }
  return out;
};
