// Tiny HTTP helpers: JSON answers the way the Go/nginx services write them.
export function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendText(res, status, text, type = 'text/plain') {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export const sendError = (res, status, message) => sendJson(res, status, { error: message });

const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
export const sendBadGateway = (res) => sendText(res, 502, NGINX_502, 'text/html');

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function readJsonBody(req) {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  return JSON.parse(text);
}

// Matches "/admin/v1/nodes/:id/enable" style patterns; returns params or undefined.
export function matchPath(pattern, pathname) {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

// The simulated machine has no network but loopback, like the machines it runs on: anything else is refused
// before a packet leaves, so a mis-set seed URL can never reach the real Gonka network.
const assertLoopback = (url) => {
  const host = new URL(url).hostname;
  if (host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host)) return;
  throw new Error(`getaddrinfo ENOTFOUND ${host} (the simulator only reaches loopback addresses)`);
};

/** Marks a request one simulated service makes to another: it is not an observation of the network (clock.mjs). */
export const INTERNAL_HEADER = 'x-nop-sim-internal';

export async function fetchJson(url, init = {}, { internal = false } = {}) {
  assertLoopback(url);
  const headers = internal ? { ...init.headers, [INTERNAL_HEADER]: '1' } : init.headers;
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(3000) });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
