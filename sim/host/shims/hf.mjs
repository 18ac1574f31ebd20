#!/usr/bin/env node
// hf download ORG/NAME [--revision R] [--cache-dir DIR]: a small model in the Hugging Face cache layout
// (<HF_HOME>/hub/models--ORG--NAME/{refs/main, blobs/, snapshots/<rev>/}), written as the real client does:
// each blob first as `<sha>.incomplete`, renamed when complete, so an interrupted download resumes.
// NOP_SIM_HF_INTERRUPT_AFTER=N stops (exit 1) after N files, to simulate a broken download.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exit, out } from './lib/io.mjs';

const [command, repo, ...rest] = process.argv.slice(2);
if (command === 'version' || command === '--version') {
  out('huggingface_hub version: 0.34.4');
  process.exit(0);
}
if (command !== 'download' || !repo) exit(2, 'usage: hf download REPO_ID [--revision REV] [--cache-dir DIR]');
if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) exit(1, `Repository Not Found for url: https://huggingface.co/api/models/${repo}/revision/main.`);
const opt = (name) => {
  const i = rest.indexOf(name);
  return i === -1 ? undefined : rest[i + 1];
};

const hub = opt('--cache-dir') ?? join(process.env.HF_HOME ?? join(homedir(), '.cache', 'huggingface'), 'hub');
const dir = join(hub, `models--${repo.replaceAll('/', '--')}`);
const sha = (s) => createHash('sha256').update(s).digest('hex');
const revision = createHash('sha1')
  .update(`${repo}@${opt('--revision') ?? 'main'}`)
  .digest('hex');
const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
const files = {
  'config.json': JSON.stringify({ _name_or_path: repo, architectures: ['Qwen2ForCausalLM'] }),
  'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'BPE' } }),
  'model.safetensors.index.json': JSON.stringify({
    metadata: { total_size: 2048 },
    weight_map: { 'lm_head.weight': shards[1], 'model.embed_tokens.weight': shards[0] },
  }),
  ...Object.fromEntries(shards.map((s) => [s, `${repo}/${s}`.repeat(32)])),
};

const snapshot = join(dir, 'snapshots', revision);
for (const d of [join(dir, 'blobs'), join(dir, 'refs'), snapshot]) mkdirSync(d, { recursive: true });
writeFileSync(join(dir, 'refs', 'main'), revision);
const interruptAfter = Number(process.env.NOP_SIM_HF_INTERRUPT_AFTER ?? Infinity);
let fetched = 0;
for (const [name, content] of Object.entries(files)) {
  const blob = join(dir, 'blobs', sha(content));
  const link = join(snapshot, name);
  if (existsSync(link)) continue;
  const partial = `${blob}.incomplete`;
  if (fetched >= interruptAfter) {
    writeFileSync(partial, content.slice(0, content.length >> 1));
    exit(1, `Error: Connection broken while downloading ${name}: IncompleteRead`);
  }
  const have = existsSync(partial) ? readFileSync(partial, 'utf8') : '';
  process.stderr.write(`${name}: ${have.length ? `resuming at ${have.length} bytes, ` : ''}${content.length} bytes\n`);
  writeFileSync(partial, content);
  renameSync(partial, blob);
  rmSync(link, { force: true });
  symlinkSync(join('..', '..', 'blobs', sha(content)), link);
  fetched++;
}
out(snapshot);
