import { splitSections } from '../gpu/facts.js';
import { shellJoin } from '../transport/shell-quote.js';
import type { ExecOptions, Transport } from '../transport/transport.js';

export interface HostHttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** sent as JSON on curl's stdin, never on its command line */
  body?: unknown;
  timeoutMs?: number;
}

export interface HostHttpResponse {
  /** the HTTP status; 0 when nothing answered */
  status: number;
  /** the answer parsed as JSON, else its text */
  body: unknown;
  /** why nothing answered (connection refused, timeout…) */
  error?: string;
}

const STATUS_MARK = '@@nop-http ';
const DEFAULT_TIMEOUT_MS = 5000;

const curlArgs = (req: HostHttpRequest): string[] => [
  'curl',
  '-sS',
  '-X',
  req.method ?? 'GET',
  '--max-time',
  String(Math.max(1, Math.ceil((req.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000))),
  '-w',
  `\\n${STATUS_MARK}%{http_code}`,
  ...(req.body === undefined ? [] : ['-H', 'content-type: application/json', '--data-binary', '@-']),
  req.url,
];

const parseBody = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** curl's output (with the status line it was asked to append) and exit code → a response. */
const parseCurl = (out: string, code: number, stderr = ''): HostHttpResponse => {
  const at = out.lastIndexOf(STATUS_MARK);
  const status = at < 0 ? 0 : Number(out.slice(at + STATUS_MARK.length).trim()) || 0;
  const text = at < 0 ? out : out.slice(0, at).replace(/\n$/, '');
  if (code !== 0 || status === 0) return { status: 0, body: undefined, error: (stderr || text).trim() || `curl exited ${code}` };
  return { status, body: parseBody(text) };
};

/**
 * One HTTP request made by curl ON the host (internal APIs listen on its loopback or private address), through
 * whichever transport reaches it. The body travels on stdin, so secrets in it never reach a command line.
 */
export const hostHttp = async (transport: Transport, req: HostHttpRequest): Promise<HostHttpResponse> => {
  const exec: ExecOptions = { timeoutMs: (req.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 5000 };
  if (req.body !== undefined) exec.stdin = JSON.stringify(req.body);
  const res = await transport.exec(shellJoin(curlArgs(req)), exec);
  return parseCurl(res.stdout, res.code, res.stderr);
};

/** The script of a batch of GETs: each answer framed (sections r0, r1…) so one failure never hides the others. */
export const hostHttpBatchScript = (requests: readonly HostHttpRequest[]): string => {
  if (requests.some((r) => r.body !== undefined)) throw new Error('hostHttpBatch sends no bodies: use hostHttp');
  return requests
    .map((r, i) => `printf '@@nop-begin r%s\\n' ${i}; out=$(${shellJoin(curlArgs(r))} 2>&1); rc=$?; printf '%s\\n@@nop-end r%s %s\\n' "$out" ${i} $rc`)
    .join('\n');
};

/** The answers of a batch script's output, in the order of its requests. */
export const parseHostHttpBatch = (requests: readonly HostHttpRequest[], stdout: string, stderr = ''): HostHttpResponse[] => {
  const sections = splitSections(stdout);
  return requests.map((_, i) => {
    const s = sections.get(`r${i}`);
    return s ? parseCurl(s.out, s.rc) : { status: 0, body: undefined, error: stderr.trim() || 'no answer' };
  });
};

/** How long a batch may take: every request's own timeout, plus slack for the connection. */
export const hostHttpBatchTimeoutMs = (requests: readonly HostHttpRequest[]): number =>
  requests.reduce((sum, r) => sum + (r.timeoutMs ?? DEFAULT_TIMEOUT_MS), 5000);

/** Several GETs in one round trip. */
export const hostHttpBatch = async (transport: Transport, requests: readonly HostHttpRequest[]): Promise<HostHttpResponse[]> => {
  const script = hostHttpBatchScript(requests);
  const res = await transport.exec(script, { timeoutMs: hostHttpBatchTimeoutMs(requests) });
  return parseHostHttpBatch(requests, res.stdout, res.stderr);
};
