import { dockerGpus } from '../../lib/facts/builtin/docker-gpus.js';
import { request } from '../../lib/facts/fact.js';
import type { ModuleContext } from '../../lib/modules/module.js';
import type { CodeTask } from '../../lib/roles/role.js';
import { shellJoin } from '../../lib/transport/shell-quote.js';
import type { NvidiaVars } from './vars.js';

// the first run pulls the image with the check itself; later runs read the declared fact, which never pulls
const runPulling = async (ctx: ModuleContext, image: string): Promise<{ ok: boolean; gpus: string[]; error: string }> => {
  const res = await ctx.exec(`docker run --rm --gpus all ${shellJoin([image, 'nvidia-smi', '-L'])}`);
  ctx.facts.invalidate([{ fact: dockerGpus, arg: image }]);
  if (res.code !== 0) return { ok: false, gpus: [], error: res.stderr.trim() };
  return { ok: true, gpus: res.stdout.split('\n').filter((l) => l.startsWith('GPU ')), error: '' };
};

/** The end-to-end proof: a container sees the GPUs through the nvidia runtime. */
export const cudaInDocker: CodeTask<NvidiaVars> = {
  name: 'CUDA runs in Docker',
  facts: (v) => [request(dockerGpus, v.nvidia_cuda_check_image)],
  // a pulled image is the only change, and no fact a role reads describes it
  invalidates: [],
  run: async (ctx, v) => {
    if (ctx.check) return { changed: false, skipped: true, msg: 'a CUDA container is run only outside check mode' };
    const seen = await ctx.facts.read(dockerGpus, v.nvidia_cuda_check_image);
    const res = seen.image_present ? seen : await runPulling(ctx, v.nvidia_cuda_check_image);
    if (!res.ok) {
      return {
        changed: false,
        failed: true,
        msg: `a CUDA container cannot use the GPUs: ${res.error.replace(/\s+/g, ' ').trim()}. Check nvidia-smi on the host, the nvidia runtime in /etc/docker/daemon.json (nvidia-ctk runtime configure --runtime=docker) and restart Docker`,
      };
    }
    return { changed: false, msg: `CUDA in Docker sees ${res.gpus.length} GPU(s)`, gpus: res.gpus };
  },
};
