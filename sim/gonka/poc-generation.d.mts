export interface GpuGroup {
  devices: number[];
  vramGb: number;
}

export interface PocGenerationSettings {
  batchAfterSeconds?: number;
  sendEverySeconds?: number;
  failure?: 'oom' | 'no-gpu-group' | null;
}

export interface GenerationRun {
  wedged: boolean;
  status: string;
  advance(now: number): string[];
}

export const DEFAULT_POC_GENERATION: Readonly<Required<PocGenerationSettings>>;
export function startGeneration(o: {
  groups: GpuGroup[];
  batchSize: number;
  url?: string;
  startedAt: number;
  settings: PocGenerationSettings;
  apiPaused: () => boolean;
}): GenerationRun;
