// edge-api (v0.2.15): the read-only query API over the chain (CHAIN_RPC_URL), on EDGE_API_PORT (18080) inside the
// Docker network; the proxy sends the public read-only routes here when EDGE_API_SERVICE_NAME is set.
import { networkHeightAt } from '../scenario.mjs';
import { publicRoutes } from './public-api.mjs';
import { router } from './api.mjs';

export function startEdgeApi(ctx) {
  const { service, running, log } = ctx;
  const height = () => [...running.values()].find((r) => r.config.kind === 'node')?.instance.height() ?? networkHeightAt(ctx.scenario(), ctx.now());
  log(`edge-api listening on :${service.environment.EDGE_API_PORT ?? 18080}, chain ${service.environment.CHAIN_RPC_URL ?? ''}`);
  const handle = router(publicRoutes({ stateDir: ctx.stateDir, scenario: ctx.scenario, height }));
  return { handlers: { [Number(service.environment.EDGE_API_PORT ?? 18080)]: handle }, handle, state: () => 'running', close() {} };
}
