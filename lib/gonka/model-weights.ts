import { posix } from 'node:path';
import { z } from 'zod';
import { defineFact } from '../facts/fact.js';
import { shellJoin } from '../transport/shell-quote.js';

/** The Hugging Face cache directory of a model: HF_HOME/hub/models--ORG--NAME. */
export const modelCacheDir = (hfHome: string, model: string): string => posix.join(hfHome, 'hub', `models--${model.replaceAll('/', '--')}`);

// per cache dir: the revision refs/main points to, each entry of its snapshot (symlinks into blobs/ that must
// resolve), partial blobs, and the safetensors index naming every shard
const INSPECT = `d=$1
[ -f "$d/refs/main" ] || { echo missing; exit 0; }
rev=$(cat "$d/refs/main"); echo "rev $rev"
for f in "$d/snapshots/$rev"/*; do
  [ -L "$f" ] || [ -e "$f" ] || continue
  if [ -e "$f" ]; then echo "file \${f##*/}"; else echo "dangling \${f##*/}"; fi
done
for f in "$d"/blobs/*.incomplete; do [ -e "$f" ] && echo "partial \${f##*/}"; done
echo "index"; cat "$d/snapshots/$rev/model.safetensors.index.json" 2>/dev/null; true`;

const IndexSchema = z.object({ weight_map: z.record(z.string(), z.string()) });

const parseIndex = (text: string): z.output<typeof IndexSchema> | undefined => {
  try {
    const parsed = IndexSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** What the inspection says is wrong with one cache dir; an empty list when the weights are complete. */
export const weightProblemsOf = (output: string): string[] => {
  if (output.trim() === 'missing') return ['not downloaded'];
  const [head, index = ''] = output.split('\nindex\n');
  const lines = head.split('\n').map((l) => l.split(' '));
  const files = new Set(lines.filter(([k]) => k === 'file').map(([, f]) => f));
  const problems = [
    ...lines.filter(([k]) => k === 'dangling').map(([, f]) => `${f} points to a missing blob`),
    ...lines.filter(([k]) => k === 'partial').map(([, f]) => `partial download ${f}`),
  ];
  if (!files.has('config.json')) problems.push('config.json is missing');
  const weightMap = parseIndex(index)?.weight_map;
  const shards = weightMap ? [...new Set(Object.values(weightMap))] : [...files].filter((f) => /\.(safetensors|bin)$/.test(f));
  if (shards.length === 0) problems.push('no weight files');
  problems.push(...shards.filter((s) => !files.has(s)).map((s) => `${s} is missing`));
  return problems;
};

/** What is wrong with a model's cached weights (its cache dir, modelCacheDir); empty when they are complete. */
export const modelWeights = defineFact<string, string[]>({
  name: 'model_weights',
  command: (dirs) => dirs.map((d) => `sh -c ${shellJoin([INSPECT])} sh ${shellJoin([d])}; printf '\\0'`).join('\n'),
  parse: ({ stdout }, dirs) => {
    const outputs = stdout.split('\0');
    return dirs.map((_, i) => weightProblemsOf(outputs[i] ?? 'missing'));
  },
  key: (dir) => dir,
});
