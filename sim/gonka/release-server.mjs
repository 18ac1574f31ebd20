// Gonka's release downloads on loopback (gonka-interfaces.md §4): each release's Cosmovisor upgrade zips,
// `<base>/gonka-ai/gonka/releases/download/release%2F<tag>/{inferenced,decentralized-api}-amd64.zip`, and the
// upgrade plan's `info` naming them as `<url>?checksum=sha256:<zip sum>`, as a software-upgrade proposal carries
// it. The announcement's per-binary sums come with each asset. A release may be served tampered: its zip holds
// other bytes than the plan's checksum covers (what a compromised mirror or a truncated download looks like).
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

// A zip of one stored (uncompressed) file, mode 0755 in its unix attributes: what `unzip` reads.
export function storedZip(name, data) {
  const file = Buffer.from(name);
  const crc = zlib.crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(file.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(0x0314, 4); // made by unix, zip 2.0
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(file.length, 28);
  central.writeUInt32LE(((0o100755 << 16) >>> 0) >>> 0, 38);
  const localSize = local.length + file.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + file.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, file, data, central, file, end]);
}

const BINARIES = ['inferenced', 'decentralized-api'];

/**
 * Serve `releases` ({ tag: { tampered?: boolean } }) on 127.0.0.1. Each binary is a small script naming its release.
 * Returns { url, asset(tag, binary) → { url, zip_sha256, binary_sha256 }, planInfo(tag), requests, close }.
 */
export async function startReleaseServer(releases) {
  const assets = {};
  const served = {};
  for (const [tag, opts] of Object.entries(releases)) {
    assets[tag] = {};
    served[tag] = {};
    for (const binary of BINARIES) {
      const content = Buffer.from(`#!/bin/sh\necho ${binary} ${tag}\n`);
      const zip = storedZip(binary, content);
      assets[tag][binary] = { zip, zip_sha256: sha256(zip), binary_sha256: sha256(content) };
      served[tag][binary] = opts?.tampered ? storedZip(binary, Buffer.from(`#!/bin/sh\necho ${binary} ${tag} backdoored\n`)) : zip;
    }
  }
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/gonka-ai\/gonka\/releases\/download\/release%2F([^/]+)\/(inferenced|decentralized-api)-amd64\.zip$/.exec(req.url ?? '');
    const body = m && served[m[1]]?.[m[2]];
    if (!body) {
      res.writeHead(404).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const assetUrl = (tag, binary) => `${base}/gonka-ai/gonka/releases/download/release%2F${tag}/${binary}-amd64.zip`;
  return {
    url: base,
    asset: (tag, binary) => ({ url: assetUrl(tag, binary), zip_sha256: assets[tag][binary].zip_sha256, binary_sha256: assets[tag][binary].binary_sha256 }),
    // the plan's info as a software-upgrade proposal carries it: one JSON string
    planInfo: (tag) =>
      JSON.stringify({
        binaries: { 'linux/amd64': `${assetUrl(tag, 'inferenced')}?checksum=sha256:${assets[tag].inferenced.zip_sha256}` },
        api_binaries: { 'linux/amd64': `${assetUrl(tag, 'decentralized-api')}?checksum=sha256:${assets[tag]['decentralized-api'].zip_sha256}` },
      }),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
