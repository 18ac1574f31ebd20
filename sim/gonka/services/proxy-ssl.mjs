// proxy-ssl (compose profile `ssl`): the ACME DNS-01 certificate issuer the proxy asks for certificates; certs in
// ./secrets/nginx-ssl, state in ./secrets/certbot. The simulator reaches no ACME server: it is healthy, issues
// nothing, and says so.
import fs from 'node:fs';
import { hostPathOf } from '../compose-project.mjs';
import { sendText } from '../http-util.mjs';

export function startProxySsl({ service, log }) {
  const env = service.environment;
  for (const dir of ['/app/certs', '/app/data']) {
    const host = hostPathOf(service, dir);
    if (host) fs.mkdirSync(host, { recursive: true });
  }
  log(`cert issuer for ${env.CERT_ISSUER_DOMAIN || '(no CERT_ISSUER_DOMAIN)'} via ${env.ACME_DNS_PROVIDER || '(no ACME_DNS_PROVIDER)'}`);
  log('WARN no certificate issued: the simulated network reaches no ACME server');
  const handle = (req, res) => (new URL(req.url, 'http://proxy-ssl').pathname === '/health' ? sendText(res, 200, 'ok\n') : sendText(res, 404, 'Not Found\n'));
  return { handlers: { 8080: handle }, handle, state: () => 'running', close() {} };
}
