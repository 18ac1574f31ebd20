import { z } from 'zod';
import { MaxAgeSchema, StreamNameSchema } from '../../lib/gonka/nats-streams.js';

/** Variables of the nats role (defaults.yml holds their defaults). */
export const NatsVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  nats_stream_max_age: MaxAgeSchema.describe("the max age the api's NATS streams get (NATS CLI duration: 24h, 7d)"),
  nats_streams: z.array(StreamNameSchema).min(1).describe("the api's JetStream streams whose max age is set"),
  nats_box_image: z.string().min(1).describe("the image whose NATS CLI edits the streams (run in the api container's network namespace)"),
  nats_api_container: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
    .describe('the api container (its embedded NATS listens inside it only)'),
  /** the current max age of each stream, in nanoseconds (the read task's result) */
  nats_stream_ages: z.record(z.string(), z.number()).default({}).describe("set by the read task: each stream's max age in nanoseconds"),
});

export type NatsVars = z.output<typeof NatsVarsSchema>;
