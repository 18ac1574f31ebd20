// The public API of another participant of the simulated network: the seed a joining node reads the chain through
// (reference edition 2, gonka-interfaces.md §2.3 public routes; "Chain REST via /chain-api/ (closed by default on
// your own proxy; open on public seeds)"; gonka-operations.md: `curl $SEED/chain-api/productscience/inference/
// inference/params`). It answers GETs only, over the network state of `stateDir` at the network's height: a node
// being set up reads the live PoC models and their coefficients here before its own proxy runs. Its
// `/chain-rpc/status` is the seed's CometBFT status through its proxy (§2.3): a node switching seeds derives the RPC
// URL and the p2p port from it (gonka-operations.md §13); `chainId` makes it a seed of another chain.
import crypto from 'node:crypto';
import http from 'node:http';
import { networkHeightNow, readScenario } from './scenario.mjs';
import { restQuery } from './chain-queries.mjs';
import { matchPath, sendJson } from './http-util.mjs';
import { publicRoutes } from './services/public-api.mjs';
import { router } from './services/api.mjs';
import { rpcResult, statusResult } from './services/comet-status.mjs';

/**
 * The node id of the seed whose API is `seedApiUrl` (its base, as in SEED_API_URL). Derived from the URL so that a
 * simulated node's init can write the id `inferenced set-seeds` would have read from the seed's /status.
 */
export const seedNodeId = (seedApiUrl) =>
  crypto
    .createHash('sha256')
    .update(`seed ${seedApiUrl.replace(/\/+$/, '')}`)
    .digest('hex')
    .slice(0, 40);

/** Serve the seed on `host` (loopback) at a free port; `url` is its base, `close()` stops it. */
export async function startSeedApi(stateDir, { host = '127.0.0.1', chainId = 'gonka-mainnet', p2pPort = 5000 } = {}) {
  const scenario = () => readScenario(stateDir);
  const height = () => networkHeightNow(stateDir);
  const publicApi = router(publicRoutes({ stateDir, scenario, height }));
  const server = http.createServer((req, res) => {
    const { pathname, search } = new URL(req.url, 'http://seed');
    if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method Not Allowed' });
    if (pathname === '/chain-rpc/status') return sendJson(res, 200, rpcResult(-1, cometStatus()));
    if (pathname.startsWith('/chain-api/')) {
      const [status, body] = restQuery(pathname.slice('/chain-api'.length), search, { stateDir, scenario: scenario(), height: height() }, matchPath);
      return sendJson(res, status, body);
    }
    return publicApi(req, res);
  });
  await new Promise((resolve) => server.listen(0, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  // the seed advertises its p2p port on its public address (p2p.external_address, as P2P_EXTERNAL_ADDRESS sets it)
  const cometStatus = () =>
    statusResult({
      height: height(),
      networkHeight: height(),
      blocksPerSecond: scenario().blocksPerSecond,
      earliestHeight: 1,
      nodeId: seedNodeId(url),
      listenAddr: `tcp://${host}:${p2pPort}`,
      chainId,
      moniker: 'seed',
      validatorAddress: crypto.createHash('sha256').update(url).digest('hex').slice(0, 40).toUpperCase(),
      consensusPubkey: crypto.createHash('sha256').update(`consensus ${url}`).digest('base64'),
      votingPower: 1,
    });
  return {
    url,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
