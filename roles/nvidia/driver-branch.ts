import { loadModelCatalog, preferredDriverBranch } from '../../lib/gonka/model-catalog.js';
import type { NvidiaVars } from './vars.js';

// the spring-2026 ML node images (mlnode 3.0.12, CUDA 12.8) of gpu_sizing: legacy
const LEGACY_BRANCH = 570;

export interface WantedDriver {
  branch: number;
  /** the operator named the branch: an older installed one is replaced; auto keeps any installed driver */
  explicit: boolean;
  /** why this branch, for the task's message */
  why: string;
}

/** The driver branch to install: the operator's, else the one the ML node image of the model to serve needs. */
export const wantedDriver = (v: NvidiaVars): WantedDriver => {
  if (v.nvidia_driver_version !== 'auto') return { branch: v.nvidia_driver_version, explicit: true, why: 'nvidia_driver_version' };
  if (v.gpu_sizing === 'legacy') return { branch: LEGACY_BRANCH, explicit: false, why: 'the legacy Qwen images' };
  const model = v.gonka_model?.model_id;
  return {
    branch: preferredDriverBranch(loadModelCatalog(), model),
    explicit: false,
    why: model ? `the ML node image of ${model}` : "the ML node images of the catalog's PoC models",
  };
};
