// The api's embedded NATS JetStream (upstream decentralized-api/internal/nats/server/server.go): file storage in
// /root/.dapi/.nats, one stream per topic. A stream's configuration lives where JetStream's file store keeps it,
// jetstream/$G/streams/<name>/meta.inf (JSON, max_age in nanoseconds, 0 = forever). The api creates missing
// streams at start with the age its version gives new streams (24 h since v0.2.6; a scenario's
// `natsStreamMaxAgeSeconds: 0` is a node whose streams an older version created) and never edits existing ones.
import fs from 'node:fs';
import path from 'node:path';
import { readJson, writeJson } from './json-file.mjs';

export const API_STREAMS = ['txs_to_send', 'txs_to_observe'];
const NS_PER_SECOND = 1_000_000_000;
export const DEFAULT_STREAM_MAX_AGE_SECONDS = 24 * 3600;

const streamsDir = (dapi) => path.join(dapi, '.nats', 'jetstream', '$G', 'streams');
const metaFile = (dapi, name) => path.join(streamsDir(dapi), name, 'meta.inf');

const newConfig = (name, maxAgeSeconds) => ({
  name,
  subjects: [name],
  retention: 'limits',
  max_consumers: -1,
  max_msgs: -1,
  max_bytes: -1,
  max_age: maxAgeSeconds * NS_PER_SECOND,
  max_msgs_per_subject: -1,
  max_msg_size: -1,
  discard: 'old',
  storage: 'file',
  num_replicas: 1,
  duplicate_window: 120 * NS_PER_SECOND,
});

/** At the api's start: the streams it publishes to, created when missing (existing ones keep their config). */
export function ensureApiStreams(dapi, maxAgeSeconds) {
  for (const name of API_STREAMS) {
    if (fs.existsSync(metaFile(dapi, name))) continue;
    writeJson(metaFile(dapi, name), { config: newConfig(name, maxAgeSeconds), created: new Date().toISOString() }, 0o600);
  }
}

export const readStream = (dapi, name) => readJson(metaFile(dapi, name), undefined);

export function writeStreamConfig(dapi, name, config) {
  const current = readStream(dapi, name);
  writeJson(metaFile(dapi, name), { ...current, config }, 0o600);
}

export const streamNames = (dapi) => (fs.existsSync(streamsDir(dapi)) ? fs.readdirSync(streamsDir(dapi)).sort() : []);
