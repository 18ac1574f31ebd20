import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';
import { installedPackages } from './packages.js';
import { systemdUnit } from './systemd-unit.js';

export interface DockerGpus {
  /** the image is on the host: the check never pulls (a read must not fill the disk) */
  image_present: boolean;
  /** the container ran and listed the GPUs */
  ok: boolean;
  /** `nvidia-smi -L` lines: `GPU 0: NVIDIA H100 80GB HBM3 (UUID: …)` */
  gpus: string[];
  /** why not, in Docker's words */
  error: string;
}

/** What a CUDA container sees through Docker's nvidia runtime: `docker run --rm --gpus all IMAGE nvidia-smi -L`. */
export const dockerGpus = defineFact<string, DockerGpus>({
  name: 'docker_gpus',
  command: (images) =>
    images
      .map(
        (image) => `if docker image inspect ${shellJoin([image])} >/dev/null 2>&1; then
  out=$(docker run --rm --gpus all ${shellJoin([image, 'nvidia-smi', '-L'])} 2>&1); rc=$?
  printf 'present\\0%s\\0%s\\0' "$rc" "$out"
else printf 'absent\\0\\0\\0'; fi`,
      )
      .join('\n'),
  parse: ({ stdout }, images) => {
    const fields = stdout.split('\0');
    return images.map((_, i) => {
      const [presence, rc, out = ''] = fields.slice(i * 3, i * 3 + 3);
      const ok = presence === 'present' && rc === '0';
      return {
        image_present: presence === 'present',
        ok,
        gpus: ok ? out.split('\n').filter((l) => l.startsWith('GPU ')) : [],
        error: ok ? '' : out.trim(),
      };
    });
  },
  key: (image) => image,
  // the driver, the toolkit, Docker itself and its restarts change the answer (daemon.json's writer says so itself)
  dependsOn: () => [installedPackages, systemdUnit],
});
