import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** Whether an image is on the host (`docker image inspect`); an error when docker itself is missing. */
export const dockerImage = defineFact<string, boolean>({
  name: 'docker_image',
  command: (images) => `command -v docker >/dev/null || { echo nodocker; exit 0; }
for i in ${shellJoin(images)}; do if docker image inspect "$i" >/dev/null 2>&1; then echo 1; else echo 0; fi; done`,
  parse: ({ stdout }, images) => {
    const lines = stdout.split('\n');
    if (lines[0] === 'nodocker') return images.map(() => new Error('docker is not installed (run the docker role first)'));
    return images.map((_, i) => lines[i] === '1');
  },
  key: (image) => image,
});
