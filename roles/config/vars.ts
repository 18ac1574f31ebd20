import { z } from 'zod';
import { ConfigVarsSchema } from '../../lib/gonka/config-vars.js';
import { placeProblems } from '../../lib/gonka/build-deployment.js';
import { DeploymentSchema } from '../../lib/gonka/deployment.js';

/** compose file → service → fingerprint (lib/gonka/service-fingerprints.ts) */
const FingerprintsSchema = z.record(z.string(), z.record(z.string(), z.string()));

/** The config role's variables, and what its first tasks publish for the later ones (typed, never cast). */
export const ConfigRoleVarsSchema = ConfigVarsSchema.extend({
  gonka: DeploymentSchema.optional().describe("set by the config role's first task: the deployment computed from the variables (what the later tasks render)"),
  gonka_fingerprints_before: FingerprintsSchema.optional().describe(
    "set by the config role: the services' fingerprints before the templates ran (the handler recreates what changed since)",
  ),
}).superRefine((v, ctx) => {
  // what the host's place needs (private_ip on an ML-only server...): checked with the schema, so before the run
  for (const p of placeProblems(v)) ctx.addIssue({ code: 'custom', path: [p.variable], message: p.reason });
});

export type ConfigRoleVars = z.output<typeof ConfigRoleVarsSchema>;
