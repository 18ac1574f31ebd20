// The public nginx proxy: /health, /v1/ → api:9000, /chain-rpc/ → node:26657.
import { sendBadGateway, sendText } from '../http-util.mjs';

export function startProxy({ service, running }) {
  const env = service.environment;
  const blocked = (env.GONKA_API_BLOCKED_ROUTES ?? '').split(/\s+/).filter(Boolean);
  const instanceOf = (kind) => [...running.values()].find((r) => r.config.kind === kind)?.instance;

  function handle(req, res) {
    const { pathname } = new URL(req.url, 'http://proxy');
    if (pathname === '/health') return sendText(res, 200, 'healthy\n');
    if (pathname.startsWith('/v1/')) {
      if (env.DISABLE_GONKA_API === 'true') return notFound(res);
      if (blocked.some((r) => pathname.startsWith(`/v1/${r}`))) return sendText(res, 403, 'Forbidden\n');
      const api = instanceOf('api');
      return api ? api.publicApi(req, res) : sendBadGateway(res);
    }
    if (pathname.startsWith('/chain-rpc/') || pathname === '/chain-rpc') {
      if (env.DISABLE_CHAIN_RPC === 'true') return notFound(res);
      const node = instanceOf('node');
      if (node?.state() !== 'running') return sendBadGateway(res);
      req.url = req.url.replace(/^\/chain-rpc/, '') || '/';
      return node.rpc(req, res);
    }
    return notFound(res);
  }

  return { handlers: { 80: handle }, state: () => 'running', close() {} };
}

const notFound = (res) =>
  sendText(
    res,
    404,
    '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    'text/html',
  );
