import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerImageModule } from '../../lib/gonka/modules/docker-image.js';
import { runModule } from '../../lib/modules/run-module.js';
import { snapshotTree } from '../e2e/sim-fleet.js';
import { countingTransport } from '../modules/helpers.js';
import { gonkaHost, IMAGES, PROJECT, type GonkaHost } from './gonka-host.js';

const images = async (h: GonkaHost): Promise<string[]> =>
  (await h.host.sh("docker images --format '{{.Repository}}:{{.Tag}}'")).stdout.split('\n').filter(Boolean).sort();

describe('docker_image on a simulated server', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost();
  });
  afterAll(() => h?.cleanup());

  it('check mode predicts the pull and changes nothing', async () => {
    const before = await snapshotTree(h.host.dir);
    const res = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context({ check: true }));
    expect(res).toMatchObject({ changed: true, pulled: IMAGES });
    expect(await images(h)).toEqual([]);
    expect(await snapshotTree(h.host.dir)).toEqual(before);
  });

  it('pulls the missing images, then a second run changes nothing in one command', async () => {
    const first = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context());
    expect(first).toMatchObject({ changed: true, pulled: IMAGES, msg: `pulled ${IMAGES.join(', ')}` });
    expect(await images(h)).toEqual([...IMAGES].sort());
    const transport = countingTransport(h.host.transport());
    const second = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context({ transport }));
    expect(second).toMatchObject({ changed: false, msg: 'every image is present' });
    expect(transport.scripts).toHaveLength(1);
  });

  it('an image the compose files do not run is still missing after the pull: the task fails naming it', async () => {
    const res = await runModule(dockerImageModule, { ...PROJECT, images: [...IMAGES, 'ghcr.io/gonka-ai/mlnode:9.9.9'] }, h.context());
    expect(res.failed).toBe(true);
    expect(res.msg).toBe(
      'docker compose -f docker-compose.yml pull did not bring ghcr.io/gonka-ai/mlnode:9.9.9: is it the image the compose files run (config role)?',
    );
  });
});

describe('docker_image before Docker is installed', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost({ docker: false });
  });
  afterAll(() => h?.cleanup());

  it('fails naming the docker role; check mode plans the pull instead', async () => {
    const res = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context());
    expect(res).toMatchObject({ failed: true, msg: 'docker is not installed (run the docker role first)' });
    const planned = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context({ check: true }));
    expect(planned).toMatchObject({ changed: true, pulled: IMAGES });
  });
});

describe('docker_image before the files are rendered', () => {
  let h: GonkaHost;
  beforeAll(async () => {
    h = await gonkaHost({ files: false });
  });
  afterAll(() => h?.cleanup());

  it("fails with compose's reason", async () => {
    const res = await runModule(dockerImageModule, { ...PROJECT, images: IMAGES }, h.context());
    expect(res.failed).toBe(true);
    expect(res.msg).toMatch(/^docker compose -f docker-compose\.yml pull failed \(rc=1\): .*docker-compose\.yml/s);
  });
});
