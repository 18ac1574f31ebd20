#!/usr/bin/env node
// hf download ORG/NAME [--revision R] [--cache-dir DIR] [--quiet]: a small model in the Hugging Face cache layout
// (<HF_HOME>/hub/models--ORG--NAME/{refs/main, blobs/, snapshots/<rev>/}), written as the real client does:
// each blob first as `<sha>.incomplete`, renamed when complete, so an interrupted download resumes.
// Progress is drawn as huggingface_hub 0.34 draws it (tqdm on stderr: `Fetching N files` and one bar per file,
// files downloaded in parallel), and, as there, only on a terminal or with TQDM_POSITION=-1.
// Knobs, from the host's state (state.hf: interrupt_after, shard_bytes, bytes_per_second) or, when the shim runs on
// its own, the environment (NOP_SIM_HF_INTERRUPT_AFTER, NOP_SIM_HF_SHARD_BYTES, NOP_SIM_HF_BYTES_PER_SECOND):
// interrupt_after = N stops it (exit 1) after N files, to simulate a broken download; shard_bytes sizes each weight
// shard; bytes_per_second paces the download.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { exit, out } from './lib/io.mjs';
import { STATE_PATH } from './lib/state.mjs';

const hostKnobs = existsSync(STATE_PATH) ? (JSON.parse(readFileSync(STATE_PATH, 'utf8')).hf ?? {}) : {};
const knob = (env, key, fallback) => Number(process.env[env] ?? hostKnobs[key] ?? fallback);

const [command, repo, ...rest] = process.argv.slice(2);
if (command === 'version' || command === '--version') {
  out('huggingface_hub version: 0.34.4');
  process.exit(0);
}
if (command !== 'download' || !repo) exit(2, 'usage: hf download REPO_ID [--revision REV] [--cache-dir DIR] [--quiet]');
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
const shardBytes = knob('NOP_SIM_HF_SHARD_BYTES', 'shard_bytes', 0);
const shard = (name) => {
  const pattern = `${repo}/${name}`;
  return shardBytes > 0 ? pattern.repeat(Math.ceil(shardBytes / pattern.length)).slice(0, shardBytes) : pattern.repeat(32);
};
const files = {
  'config.json': JSON.stringify({ _name_or_path: repo, architectures: ['Qwen2ForCausalLM'] }),
  'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'BPE' } }),
  'model.safetensors.index.json': JSON.stringify({
    metadata: { total_size: shards.reduce((n, s) => n + shard(s).length, 0) },
    weight_map: { 'lm_head.weight': shards[1], 'model.embed_tokens.weight': shards[0] },
  }),
  ...Object.fromEntries(shards.map((s) => [s, shard(s)])),
};

// huggingface_hub passes disable=None to tqdm: bars only on a terminal, unless TQDM_POSITION=-1 forces them
const bars = !rest.includes('--quiet') && process.env.HF_HUB_DISABLE_PROGRESS_BARS !== '1' && (process.stderr.isTTY || process.env.TQDM_POSITION === '-1');

// tqdm's format_sizeof (divisor 1000) and its default bar: `desc:  37%|███▋      | 1.84G/4.97G [00:12<00:20, 152MB/s]`
const sizeof = (num) => {
  let n = num;
  for (const unit of ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z']) {
    if (Math.abs(n) < 999.5) {
      if (Math.abs(n) < 99.95) return Math.abs(n) < 9.995 ? `${n.toFixed(2)}${unit}` : `${n.toFixed(1)}${unit}`;
      return `${n.toFixed(0).padStart(3)}${unit}`;
    }
    n /= 1000;
  }
  return `${n.toFixed(1)}Y`;
};
const clock = (s) => `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const drawBar = (desc, n, total, elapsed, { scale, unit }) => {
  const fraction = total ? n / total : 0;
  const rate = elapsed > 0 ? n / elapsed : undefined;
  const left = rate && total ? clock((total - n) / rate) : '?';
  const fmt = scale ? sizeof : String;
  const rateFmt = rate === undefined || rate === 0 ? '?' : scale ? sizeof(rate) : rate.toFixed(2).padStart(5);
  const bar = '█'.repeat(Math.floor(fraction * 10)).padEnd(10);
  return `${desc}: ${String(Math.floor(fraction * 100)).padStart(3)}%|${bar}| ${fmt(n)}/${fmt(total)} [${clock(elapsed)}<${left}, ${rateFmt}${unit}/s]`;
};
const draw = (line, done) => bars && process.stderr.write(`\r${line}${done ? '\n' : ''}`);

const snapshot = join(dir, 'snapshots', revision);
for (const d of [join(dir, 'blobs'), join(dir, 'refs'), snapshot]) mkdirSync(d, { recursive: true });
writeFileSync(join(dir, 'refs', 'main'), revision);

const names = Object.keys(files);
const interruptAfter = knob('NOP_SIM_HF_INTERRUPT_AFTER', 'interrupt_after', Infinity);
const bytesPerSecond = knob('NOP_SIM_HF_BYTES_PER_SECOND', 'bytes_per_second', Infinity);
const TICK_MS = 100;
const start = Date.now();
const seconds = () => (Date.now() - start) / 1000;
let fetched = 0;
let finished = names.filter((name) => existsSync(join(snapshot, name))).length;
const fetching = () => drawBar(`Fetching ${names.length} files`, finished, names.length, seconds(), { scale: false, unit: 'it' });

// every missing file downloads at once (huggingface_hub runs 8 workers), sharing the bandwidth
const active = names
  .filter((name) => !existsSync(join(snapshot, name)))
  .map((name) => {
    const content = files[name];
    const blob = join(dir, 'blobs', sha(content));
    const partial = `${blob}.incomplete`;
    const initial = existsSync(partial) ? statSync(partial).size : 0;
    return { name, content, blob, partial, initial, done: initial };
  });

const complete = (f) => {
  renameSync(f.partial, f.blob);
  const link = join(snapshot, f.name);
  rmSync(link, { force: true });
  symlinkSync(join('..', '..', 'blobs', sha(f.content)), link);
  fetched++;
  finished++;
};

const tick = () => {
  const running = active.filter((f) => f.done < f.content.length);
  if (running.length === 0) {
    draw(fetching(), true);
    out(snapshot);
    return;
  }
  const share = Number.isFinite(bytesPerSecond) ? Math.max(1, Math.floor((bytesPerSecond * TICK_MS) / 1000 / running.length)) : Infinity;
  for (const f of running) {
    if (fetched >= interruptAfter) {
      appendFileSync(f.partial, f.content.slice(f.done, f.done + Math.max(1, (f.content.length - f.done) >> 1)));
      exit(1, `${bars ? '\n' : ''}Error: Connection broken while downloading ${f.name}: IncompleteRead`);
    }
    const next = Math.min(f.content.length, f.done + share);
    appendFileSync(f.partial, f.content.slice(f.done, next));
    f.done = next;
    const elapsed = seconds();
    draw(drawBar(f.name, f.done, f.content.length, elapsed, { scale: true, unit: 'B' }), f.done === f.content.length);
    if (f.done === f.content.length) complete(f);
  }
  draw(fetching(), false);
  setTimeout(tick, Number.isFinite(bytesPerSecond) ? TICK_MS : 0);
};

// a partial blob is resumed from where it stopped; `readFileSync` checks it is a prefix of what it should be
for (const f of active) if (f.initial && !f.content.startsWith(readFileSync(f.partial, 'utf8'))) writeFileSync(f.partial, '');
draw(fetching(), false);
tick();
