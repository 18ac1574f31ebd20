import { curlConfig } from '../../modules/curl-config.js';
import { defineFact } from '../fact.js';

export interface HttpAnswer {
  /** the HTTP status; 0 when nothing answered (refused, timed out, no such host) */
  status: number;
  body: string;
  /** the body parsed, when it is JSON */
  json?: unknown;
}

export interface HttpGet {
  url: string;
  /** seconds for the whole request */
  timeout?: number;
}

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/**
 * A GET made on the host itself (curl), so endpoints bound to its loopback or private address — the admin API,
 * the chain's RPC, an ML node's state — are read where they live. The URL reaches curl as its config in a
 * here-document (it may hold a token), never on a command line. Nothing answering is status 0.
 */
export const httpGet = defineFact<HttpGet, HttpAnswer>({
  name: 'http_get',
  command: (requests) =>
    requests
      .map(
        (r) => `curl -K - -sS --max-time ${Math.max(1, Math.round(r.timeout ?? 10))} -w '\\n%{http_code}' 2>/dev/null <<'NOP_CURL_CONFIG'
${curlConfig([['url', r.url]]).trimEnd()}
NOP_CURL_CONFIG
printf '\\0'`,
      )
      .join('\n'),
  parse: ({ stdout }, requests) => {
    const answers = stdout.split('\0');
    return requests.map((_, i) => {
      const text = answers[i] ?? '\n0';
      const cut = text.lastIndexOf('\n');
      const body = text.slice(0, cut);
      const status = Number(text.slice(cut + 1)) || 0;
      return { status, body, json: parseJson(body) };
    });
  },
  key: (r) => r.url,
});
