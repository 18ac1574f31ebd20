import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** Whether an image is on the host (`docker image inspect`); an error when docker itself is missing. */
export const dockerImage = defineFact<string, boolean>({
  name: 'docker_image',
  command: (images) => `command -v docker >/dev/null || { echo nodocker; exit 0; }
for i in ${shellJoin(images)}; do docker image inspect "$i" >/dev/null 2>&1; case $? in 0) echo 1 ;; 127) echo nodocker; exit 0 ;; *) echo 0 ;; esac; done`,
  parse: ({ stdout }, images) => {
    const lines = stdout.split('\n');
    // 127: a docker on PATH that is not installed (a wrapper, a broken package) says so the way sh does
    if (lines.includes('nodocker')) return images.map(() => new Error('docker is not installed (run the docker role first)'));
    return images.map((_, i) => lines[i] === '1');
  },
  key: (image) => image,
});
