// The public nginx proxy (gonka proxy/nginx.unified.conf.template): /health; the api's versioned routes (/v1/,
// /v2/ and /api/… → api:9000) less the blocked ones; /chain-rpc/, /chain-api/, /chain-grpc/ unless disabled;
// /devshard/ → versiond; read-only public routes → edge-api when EDGE_API_SERVICE_NAME is set; / → the explorer.
// Every 404 is nginx's error page, "Not Found". Rate limits (and so what GONKA_API_EXEMPT_ROUTES exempts) are not
// simulated.
import { sendBadGateway, sendText } from '../http-util.mjs';

const words = (v) => (v ?? '').split(/\s+/).filter(Boolean);
// upstream's compose passes every DISABLE_* (the chain routes default to true there); a proxy given none keeps the route
const flag = (env, name) => env[name] === 'true';

// the routes edge-api serves when the proxy sends them there (reference §1.4)
const EDGE_ROUTES = [
  /^\/v1\/status$/,
  /^\/v1\/models$/,
  /^\/v1\/governance\/models$/,
  /^\/v1\/participants(\/|$)/,
  /^\/v1\/epochs\/[^/]+(\/|$)/,
  /^\/v1\/pricing$/,
  /^\/v1\/restrictions\//,
  /^\/v1\/bls\//,
  /^\/v1\/bridge\/addresses$/,
  /^\/v1\/poc-batches\/[^/]+$/,
];

export function startProxy({ service, running, log }) {
  const env = service.environment;
  const blocked = words(env.GONKA_API_BLOCKED_ROUTES);
  const versions = words(env.API_VERSIONS ?? 'v1 v2');
  const byName = (name) => running.get(name)?.instance;
  const byKind = (kind) => [...running.values()].find((r) => r.config.kind === kind)?.instance;
  const edgeApi = env.EDGE_API_SERVICE_NAME ? () => byName(env.EDGE_API_SERVICE_NAME) : undefined;
  const versiond = () => byName(env.VERSIOND_SERVICE_NAME ?? 'versiond') ?? byKind('versiond');
  log(`Nginx proxy: API ${versions.join(', ')}; blocked: ${blocked.join(' ') || 'none'}; edge-api: ${env.EDGE_API_SERVICE_NAME || 'off'}`);

  const isBlocked = (path) => versions.some((v) => blocked.some((r) => path === `/${v}/${r}` || path.startsWith(`/${v}/${r}/`)));

  // forwards to a service of the project by what the URL keeps after `prefix`
  const forward = (req, res, target, prefix, handler) => {
    if (!target || target.state?.() !== 'running') return sendBadGateway(res);
    req.url = req.url.slice(prefix.length) || '/';
    return handler(target)(req, res);
  };

  function handle(req, res) {
    const { pathname } = new URL(req.url, 'http://proxy');
    if (pathname === '/health') return sendText(res, 200, 'healthy\n');
    if (pathname.startsWith('/chain-rpc/') || pathname === '/chain-rpc') {
      if (flag(env, 'DISABLE_CHAIN_RPC')) return notFound(res);
      return forward(req, res, byKind('node'), '/chain-rpc', (n) => n.rpc);
    }
    if (pathname.startsWith('/chain-api/')) {
      if (flag(env, 'DISABLE_CHAIN_API')) return notFound(res);
      return forward(req, res, byKind('node'), '/chain-api', (n) => n.rest);
    }
    // gRPC is not simulated: an enabled /chain-grpc/ has no backend
    if (pathname.startsWith('/chain-grpc/')) return flag(env, 'DISABLE_CHAIN_GRPC') ? notFound(res) : sendBadGateway(res);
    if (pathname.startsWith('/devshard/')) {
      if (flag(env, 'DISABLE_DEVSHARD_PROXY')) return notFound(res);
      return forward(req, res, versiond(), '', (v) => v.handle);
    }
    const apiPath = pathname.startsWith('/api/') ? pathname.slice(4) : pathname;
    if (versions.some((v) => apiPath.startsWith(`/${v}/`))) {
      if (flag(env, 'DISABLE_GONKA_API') || isBlocked(apiPath)) return notFound(res);
      if (pathname.startsWith('/api/')) req.url = req.url.slice(4);
      if (edgeApi && EDGE_ROUTES.some((re) => re.test(apiPath))) return forward(req, res, edgeApi(), '', (e) => e.handle);
      return forward(req, res, byKind('api'), '', (a) => a.publicApi);
    }
    // location / takes everything else: the explorer, or the page saying it is not configured
    if (env.DASHBOARD_PORT) return forward(req, res, byKind('explorer'), '', (e) => e.handle);
    return sendText(res, 200, NO_DASHBOARD, 'text/html');
  }

  return { handlers: { 80: handle, 443: 'tcp' }, state: () => 'running', close() {} };
}

const notFound = (res) => sendText(res, 404, 'Not Found\n');

const NO_DASHBOARD =
  '<!DOCTYPE html>\n<html>\n<head>\n    <title>Dashboard Not Configured</title>\n</head>\n<body>\n    <h1>Dashboard Not Configured</h1>\n</body>\n</html>';
