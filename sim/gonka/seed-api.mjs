// The public API of another participant of the simulated network: the seed a joining node reads the chain through
// (reference edition 2, gonka-interfaces.md §2.3 public routes; "Chain REST via /chain-api/ (closed by default on
// your own proxy; open on public seeds)"; gonka-operations.md: `curl $SEED/chain-api/productscience/inference/
// inference/params`). It answers GETs only, over the network state of `stateDir` at the network's height: a node
// being set up reads the live PoC models and their coefficients here before its own proxy runs.
import http from 'node:http';
import { networkHeightNow, readScenario } from './scenario.mjs';
import { restQuery } from './chain-queries.mjs';
import { matchPath, sendJson } from './http-util.mjs';
import { publicRoutes } from './services/public-api.mjs';
import { router } from './services/api.mjs';

/** Serve the seed on `host` (loopback) at a free port; `url` is its base, `close()` stops it. */
export async function startSeedApi(stateDir, { host = '127.0.0.1' } = {}) {
  const scenario = () => readScenario(stateDir);
  const height = () => networkHeightNow(stateDir);
  const publicApi = router(publicRoutes({ stateDir, scenario, height }));
  const server = http.createServer((req, res) => {
    const { pathname, search } = new URL(req.url, 'http://seed');
    if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method Not Allowed' });
    if (pathname.startsWith('/chain-api/')) {
      const [status, body] = restQuery(pathname.slice('/chain-api'.length), search, { stateDir, scenario: scenario(), height: height() }, matchPath);
      return sendJson(res, status, body);
    }
    return publicApi(req, res);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
