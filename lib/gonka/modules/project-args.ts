import { z } from 'zod';
import type { ComposeProject } from '../compose-command.js';

/** How a Gonka task names its compose project: the deploy directory, the compose files, the env file. */
export const projectArgs = {
  project_dir: z.string().regex(/^\//, 'must be an absolute path'),
  files: z.array(z.string().min(1)).min(1),
  /** sourced before compose runs (config.env on a network node); absent on an ML-only server */
  env_file: z.string().min(1).optional(),
};

export const projectOf = (a: { project_dir: string; files: string[]; env_file?: string }): ComposeProject => ({
  dir: a.project_dir,
  files: a.files,
  env_file: a.env_file,
});
