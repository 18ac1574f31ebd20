import { z } from 'zod';
import { PocTestPlanSchema } from './plan.js';

const seconds = z.coerce.number().positive();

/** Variables of the poc-test role (defaults.yml holds their defaults). */
export const PocTestVarsSchema = z.object({
  gonka_deploy_dir: z.string().min(1).describe('the deploy directory on the server'),
  gonka_api_url: z.string().url().describe("where the network node's public API is reached (loopback by default): the safe window"),
  mlnode_management_url: z.string().url().describe("the ML nodes' management API (nginx PORT, loopback by default); ML node i is on port + i"),
  mlnode_inference_url: z.string().url().describe("the ML nodes' inference API (nginx INFERENCE_PORT); ML node i is on port + i"),
  poc_test_mlnode: z.coerce.number().int().nonnegative().describe('which ML node of the server to test: its index in docker-compose.mlnode.yml (0: the first)'),
  poc_test_batch_size: z.coerce.number().int().positive().describe('batch_size of the PoC v2 request (the api sends 32)'),
  poc_test_seq_len: z.coerce.number().int().positive().optional().describe("seq_len of the request; default: the model's poc_params seq_len on chain"),
  poc_test_callback_url: z.string().min(1).describe('url of the request: where generated batches go (the paused api: send errors are expected)'),
  poc_api_container: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/)
    .describe('the api container paused during the test'),
  poc_test_margin_blocks: z.coerce.number().int().nonnegative().describe('blocks the test must keep away from the next PoC start'),
  poc_test_timeout: seconds.describe('seconds to wait for the GPU group and batch lines before the test fails'),
  poc_test_restore_timeout: seconds.describe('seconds to wait for the ML node to serve again after the test'),
  poc_test_poll_interval: seconds.describe('seconds between two looks at the test'),
  poc_test_plan: PocTestPlanSchema.optional().describe('set by the plan task: the ML node and the request'),
});

export type PocTestVars = z.output<typeof PocTestVarsSchema>;
