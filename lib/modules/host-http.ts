import type { ExecOptions, ExecResult } from '../transport/transport.js';
import { curlConfig } from './curl-config.js';

export interface HostHttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** sent as JSON */
  body?: unknown;
  /** seconds for the whole request */
  timeout?: number;
}

export interface HostHttpResponse {
  /** the HTTP status; 0 when nothing answered (refused, timed out, no curl) */
  status: number;
  /** the answer's text */
  text: string;
  /** the answer parsed, when it is JSON */
  json?: unknown;
  /** why nothing answered */
  error?: string;
}

type Exec = (script: string, opts?: ExecOptions) => Promise<ExecResult>;

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * The one HTTP client for APIs that listen on a host's loopback or private address (admin API, chain RPC, ML
 * nodes): curl runs on the host, and the whole request — URL, method, body — reaches it as its config on stdin,
 * never on a command line. Reads that a play can batch are the `httpGet` fact; this is for everything else.
 */
export const hostHttp = async (exec: Exec, req: HostHttpRequest): Promise<HostHttpResponse> => {
  const timeout = Math.max(1, Math.round(req.timeout ?? 10));
  const config = curlConfig([
    ['url', req.url],
    ['request', req.method ?? 'GET'],
    ...(req.body === undefined
      ? []
      : ([
          ['header', 'content-type: application/json'],
          ['data-raw', JSON.stringify(req.body)],
        ] as [string, string][])),
  ]);
  const res = await exec(`curl -K - -sS --max-time ${timeout} -w '\\n%{http_code}'`, { stdin: config, timeoutMs: (timeout + 10) * 1000 });
  const cut = res.stdout.lastIndexOf('\n');
  const status = Number(res.stdout.slice(cut + 1)) || 0;
  const text = cut < 0 ? '' : res.stdout.slice(0, cut);
  if (status === 0) return { status, text: '', error: res.stderr.trim() || `curl exited ${res.code}` };
  return { status, text, json: parseJson(text) };
};
