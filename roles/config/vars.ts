import { z } from 'zod';
import { ConfigVarsSchema } from '../../lib/gonka/config-vars.js';
import { DeploymentSchema } from '../../lib/gonka/deployment.js';

/** compose file → service → fingerprint (lib/gonka/service-fingerprints.ts) */
const FingerprintsSchema = z.record(z.string(), z.record(z.string(), z.string()));

/** The config role's variables, and what its first tasks publish for the later ones (typed, never cast). */
export const ConfigRoleVarsSchema = ConfigVarsSchema.extend({
  /** the deployment computed by the first task */
  gonka: DeploymentSchema.optional(),
  /** the services' fingerprints before the templates ran: the handler recreates what changed since */
  gonka_fingerprints_before: FingerprintsSchema.optional(),
});

export type ConfigRoleVars = z.output<typeof ConfigRoleVarsSchema>;
