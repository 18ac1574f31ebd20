// versiond (reference §2.5): polls its oracle (VERSIOND_ORACLE_URL, the api's /versions) every 30 s of simulated
// time, writes each approved devshardd binary into ./devshards/bin, checks its sha256 against the approved value,
// starts one child per verified version and serves /devshard/<version>/…, /healthz and /readyz[?version=vN].
// Reached through the proxy's /devshard/ route (port 8080 stays inside the Docker network).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hostPathOf } from '../compose-project.mjs';
import { fetchJson, sendJson, sendText } from '../http-util.mjs';
import { resolveUrl } from '../service-address.mjs';
import { devshardBinary } from '../chain-params.mjs';

const POLL_MS = 30_000;

export function startVersiond({ service, stateDir, running, log }) {
  const env = service.environment;
  const binDir = hostPathOf(service, '/opt/versiond/bin');
  const started = new Map();
  log(
    `versiond: oracle ${env.VERSIOND_ORACLE_URL ?? '(none)'}, binary ${env.VERSIOND_BINARY_NAME ?? 'devshardd'}, node manager ${env.NODE_MANAGER_ADDR ?? ''}`,
  );

  // the oracle is another container: asked in-process when the api runs in this project, else over its published port
  async function approved() {
    const api = [...running.values()].find((r) => r.config.kind === 'api')?.instance;
    if (api) return api.devshardVersions();
    const url = resolveUrl(stateDir, env.VERSIOND_ORACLE_URL ?? 'http://api:9100/versions');
    const { status, body } = await fetchJson(url, {}, { internal: true });
    if (status !== 200) throw new Error(`oracle answered ${status}`);
    return body.versions;
  }

  function install(version) {
    if (!binDir) throw new Error('no volume mounted at /opt/versiond/bin');
    const file = path.join(binDir, version.name, env.VERSIOND_BINARY_NAME ?? 'devshardd');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) fs.writeFileSync(file, devshardBinary(version.name), { mode: 0o755 });
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (sha !== version.sha256) throw new Error(`sha256 mismatch for ${version.name}: got ${sha}, want ${version.sha256}`);
  }

  async function tick() {
    let versions;
    try {
      versions = await approved();
    } catch (err) {
      log(`ERROR oracle poll failed: ${err.message}`);
      return;
    }
    for (const name of [...started.keys()].filter((n) => !versions.some((v) => v.name === n))) {
      started.delete(name);
      log(`stopped devshard ${name}: no longer approved`);
    }
    for (const version of versions.filter((v) => !started.has(v.name))) {
      try {
        install(version);
        started.set(version.name, 5000 + started.size);
        log(`started devshard ${version.name} on port ${started.get(version.name)}`);
      } catch (err) {
        log(`ERROR devshard ${version.name}: ${err.message}`);
      }
    }
  }

  function handle(req, res) {
    const url = new URL(req.url, 'http://versiond');
    if (url.pathname === '/healthz') return sendText(res, 200, 'ok\n');
    if (url.pathname === '/readyz') {
      const wanted = url.searchParams.get('version');
      const ready = wanted ? started.has(wanted) : started.size > 0;
      return sendText(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    }
    const m = /^\/devshard\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: 'not found' });
    if (!started.has(m[1])) return sendJson(res, 404, { error: `unknown devshard version ${m[1]}` });
    if ((m[2] ?? '/') === '/healthz') return sendJson(res, 200, { status: 'ok', version: m[1] });
    return sendJson(res, 404, { error: `devshard ${m[1]}: ${m[2]} is not simulated` });
  }

  return { handlers: { 8080: handle }, handle, tick, tickEveryMs: POLL_MS, versions: () => [...started.keys()], state: () => 'running', close() {} };
}
