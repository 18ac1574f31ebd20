import type { ModuleContext, ModuleResult } from '../../lib/modules/module.js';
import type { NvidiaVars } from './vars.js';

/** The end-to-end proof: a container sees the GPUs through the nvidia runtime. */
export const checkCudaInDocker = async (ctx: ModuleContext, v: NvidiaVars): Promise<ModuleResult> => {
  if (ctx.check) return { changed: false, skipped: true, msg: 'a CUDA container is run only outside check mode' };
  const res = await ctx.$`docker run --rm --gpus all ${v.nvidia_cuda_check_image} nvidia-smi -L`.catch((e: unknown) => e as Error);
  if (res instanceof Error) {
    return {
      changed: false,
      failed: true,
      msg: `a CUDA container cannot use the GPUs: ${res.message.split('\n').slice(1).join(' ').trim()}. Check nvidia-smi on the host, the nvidia runtime in /etc/docker/daemon.json (nvidia-ctk runtime configure --runtime=docker) and restart Docker`,
    };
  }
  const gpus = res.stdout.split('\n').filter((l) => l.startsWith('GPU '));
  return { changed: false, msg: `CUDA in Docker sees ${gpus.length} GPU(s)`, gpus };
};
