import { describe, expect, it } from 'vitest';
import { deployedSettings, modelsOfNodeConfig } from '../../lib/gonka/deployed-settings.js';
import { describeDifferences, describeStackMove, keepDeployedImages, planStackMove, stackDifferences } from '../../roles/update/stack-plan.js';

const ml = (image: string, extra = '') => `services:\n  mlnode-1:\n    image: ${image}\n    ipc: host${extra}\n  inference:\n    image: nginx:1.28\n`;
const nodeConfig = (model: string) => JSON.stringify([{ id: 'n1', host: 'inference', models: { [model]: { args: [] } } }]);

describe('deployedSettings: the node identity a deployed config.env gives', () => {
  it("reads the cold key, the warm key's name and the password; upstream's placeholders and empty values are absent", () => {
    expect(deployedSettings('export KEY_NAME=my-warm\nexport KEYRING_PASSWORD="s3cret pass"\nexport ACCOUNT_PUBKEY=A1b2\n')).toEqual({
      key_name: 'my-warm',
      keyring_password: 's3cret pass',
      account_pubkey: 'A1b2',
    });
    expect(deployedSettings('export KEY_NAME=<FILLIN>\nexport KEYRING_PASSWORD=\nexport ACCOUNT_PUBKEY=<ACCOUNT_PUBKEY_FROM_STEP_ABOVE>\n')).toEqual({});
    // nop's own config.env quotes values the shell way
    expect(deployedSettings("export KEYRING_PASSWORD='it'\\''s'\n").keyring_password).toBe("it's");
  });

  it("lists node-config's models, each once, for the entries a filter keeps; unreadable text lists none", () => {
    const text = JSON.stringify([
      { id: 'a', host: 'inference', models: { 'Org/A': {} } },
      { id: 'b', host: '10.0.0.2', models: { 'Org/B': {} } },
      { id: 'c', host: 'inference', models: { 'Org/A': {} } },
    ]);
    expect(modelsOfNodeConfig(text)).toEqual(['Org/A', 'Org/B']);
    expect(modelsOfNodeConfig(text, (h) => h === 'inference')).toEqual(['Org/A']);
    expect(modelsOfNodeConfig('{not json')).toEqual([]);
    expect(modelsOfNodeConfig(undefined)).toEqual([]);
  });
});

describe("planStackMove: from the deployed files to today's", () => {
  it('is empty when every rendered file is as deployed', () => {
    const files = { 'docker-compose.mlnode.yml': ml('mlnode:1'), 'node-config.json': nodeConfig('Org/A') };
    const { move, texts } = planStackMove(files, files, { from: ['Org/A'], to: ['Org/A'] });
    expect(move).toEqual({ files: [], differences: [] });
    expect(texts).toEqual({});
    expect(describeStackMove(move)).toBe("the deployed stack is today's");
  });

  it('keeps the deployed ML node image while the model stays: image bumps are the image update’s', () => {
    const deployed = { 'docker-compose.mlnode.yml': ml('mlnode:1-post2') };
    const rendered = { 'docker-compose.mlnode.yml': ml('mlnode:1') };
    expect(planStackMove(deployed, rendered, { from: ['Org/A'], to: ['Org/A'] }).move.files).toEqual([]);
    // other changes in the same file still move, with the deployed image
    const changed = { 'docker-compose.mlnode.yml': ml('mlnode:1', '\n    shm_size: 32g') };
    const { move, texts } = planStackMove(deployed, changed, { from: ['Org/A'], to: ['Org/A'] });
    expect(move.files).toEqual(['docker-compose.mlnode.yml']);
    expect(texts['docker-compose.mlnode.yml']).toBe(ml('mlnode:1-post2', '\n    shm_size: 32g'));
  });

  it("a model switch takes today's image with today's model, and names both models", () => {
    const deployed = { 'docker-compose.mlnode.yml': ml('mlnode:old'), 'node-config.json': nodeConfig('Qwen/Q'), 'docker-compose.yml': 'services: {}\n' };
    const rendered = { 'docker-compose.mlnode.yml': ml('mlnode:new-minimax'), 'node-config.json': nodeConfig('Org/M'), 'docker-compose.yml': 'services: {}\n' };
    const { move, texts } = planStackMove(deployed, rendered, { from: ['Qwen/Q'], to: ['Org/M'] });
    expect(move).toEqual({ files: ['docker-compose.mlnode.yml', 'node-config.json'], differences: [], model: { from: ['Qwen/Q'], to: 'Org/M' } });
    expect(texts['docker-compose.mlnode.yml']).toContain('mlnode:new-minimax');
    expect(describeStackMove(move)).toBe("today's stack: docker-compose.mlnode.yml, node-config.json change; the ML nodes switch from Qwen/Q to Org/M");
  });

  it('a file the host does not have yet is written; a host without ML nodes never switches a model', () => {
    const { move } = planStackMove({}, { 'config.env': 'export A=1\n' }, { from: [], to: [] });
    expect(move).toEqual({ files: ['config.env'], differences: [] });
  });

  it("a network compose file that differs only in its services' images is no move (the image update follows)", () => {
    const deployed = { 'docker-compose.yml': `services:\n  proxy:\n    image: p:1\n`, 'config.env': 'export A=1\n' };
    const newImage = { 'docker-compose.yml': `services:\n  proxy:\n    image: p:2\n`, 'config.env': 'export A=1\n' };
    expect(planStackMove(deployed, newImage, { from: [], to: [] }).move.files).toEqual([]);
    // with another change as well, the move writes today's file, images included
    const moved = planStackMove(deployed, { ...newImage, 'config.env': 'export A=2\n' }, { from: [], to: [] });
    expect(moved.move.files).toEqual(['docker-compose.yml', 'config.env']);
    expect(moved.texts['docker-compose.yml']).toContain('image: p:2');
  });

  it('keepDeployedImages leaves services the deployed file does not have at their rendered image', () => {
    const rendered = `services:\n  mlnode-1:\n    image: a:2\n  mlnode-2:\n    image: a:2\n`;
    expect(keepDeployedImages(rendered, `services:\n  mlnode-1:\n    image: a:1\n`)).toBe(
      `services:\n  mlnode-1:\n    image: a:1\n  mlnode-2:\n    image: a:2\n`,
    );
    expect(keepDeployedImages(rendered, undefined)).toBe(rendered);
  });
});

describe('the differences a plan shows', () => {
  it('one line per difference; config.env secrets never shown, other values quoted', () => {
    expect(
      describeDifferences([
        { file: 'config.env', aspect: 'variable', key: 'KEYRING_PASSWORD', upstream: 'old-secret', nop: 'new-secret' },
        { file: 'config.env', aspect: 'variable', key: 'PUBLIC_URL', upstream: 'http://a:8000', nop: 'http://b:8000' },
        { file: 'docker-compose.yml', service: 'versiond', aspect: 'service', key: 'versiond', nop: 'ghcr.io/x/versiond:1' },
      ]),
    ).toEqual([
      'config.env variable KEYRING_PASSWORD: (secret) → (secret)',
      'config.env variable PUBLIC_URL: "http://a:8000" → "http://b:8000"',
      'docker-compose.yml versiond service versiond: (none) → "ghcr.io/x/versiond:1"',
    ]);
  });

  it('compares only files both sides have; a compose file that does not parse is said, not thrown', () => {
    expect(stackDifferences({ 'docker-compose.yml': 'services: {}\n' }, { 'config.env': 'export A=1\n' })).toEqual([]);
    expect(stackDifferences({ 'docker-compose.yml': 'services: [' }, { 'docker-compose.yml': 'services: {}\n' })[0]).toMatch(
      /^the deployed files cannot be compared: /,
    );
  });
});
