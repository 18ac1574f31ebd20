import { z } from 'zod';
import { shellJoin } from '../../transport/shell-quote.js';
import { boolArg, intArg } from '../arg-types.js';
import { curlConfig, headerOptions, headersArg } from '../curl-config.js';
import { defineModule, type ModuleContext, type ModuleResult } from '../module.js';

const uriArgs = z.strictObject({
  url: z.string().regex(/^https?:\/\//, 'url must be http:// or https://'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  body: z.unknown().optional(),
  body_format: z.enum(['raw', 'json', 'form-urlencoded']).default('raw'),
  headers: headersArg.optional(),
  status_code: z.union([intArg.transform((c) => [c]), z.array(intArg)]).default([200]),
  return_content: boolArg.default(false),
  timeout: intArg.default(30),
  validate_certs: boolArg.default(true),
  /** default: follow redirects for GET and HEAD only (Ansible's `safe`) */
  follow_redirects: boolArg.optional(),
});

type UriArgs = z.output<typeof uriArgs>;

const CONTENT_TYPES: Record<UriArgs['body_format'], string | undefined> = {
  raw: undefined,
  json: 'application/json',
  'form-urlencoded': 'application/x-www-form-urlencoded',
};

const encodeBody = (a: UriArgs): string | undefined => {
  if (a.body === undefined) return undefined;
  if (typeof a.body === 'string') return a.body;
  if (a.body_format === 'form-urlencoded') {
    return new URLSearchParams(Object.entries(a.body as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString();
  }
  return JSON.stringify(a.body);
};

const hasHeader = (headers: Record<string, string> | undefined, name: string) => Object.keys(headers ?? {}).some((k) => k.toLowerCase() === name.toLowerCase());

// url, headers and body go to curl on stdin: they may hold tokens, which must not show in a process list
const requestConfig = (a: UriArgs): string => {
  const body = encodeBody(a);
  const contentType = CONTENT_TYPES[a.body_format];
  const headers = { ...(contentType && body !== undefined && !hasHeader(a.headers, 'content-type') ? { 'Content-Type': contentType } : {}), ...a.headers };
  return curlConfig([
    ['url', a.url],
    ...(a.method === 'HEAD' ? [] : ([['request', a.method]] as [string, string][])),
    ...headerOptions(headers),
    ...(body !== undefined ? ([['data-raw', body]] as [string, string][]) : []),
  ]);
};

const curlFlags = (a: UriArgs): string[] => [
  '-sS',
  '--max-time',
  String(a.timeout),
  ...(a.method === 'HEAD' ? ['--head'] : []),
  ...((a.follow_redirects ?? (a.method === 'GET' || a.method === 'HEAD')) ? ['-L'] : []),
  ...(a.validate_certs ? [] : ['-k']),
  '-w',
  '\n%{http_code} %{content_type}',
];

const parseJson = (content: string, contentType: string): unknown => {
  if (!/json/i.test(contentType)) return undefined;
  try {
    return JSON.parse(content);
  } catch {
    return undefined;
  }
};

const response = (a: UriArgs, stdout: string): ModuleResult => {
  const cut = stdout.lastIndexOf('\n');
  const content = stdout.slice(0, cut);
  const [code, ...type] = stdout.slice(cut + 1).split(' ');
  const status = Number(code);
  const contentType = type.join(' ');
  const json = parseJson(content, contentType);
  const ok = a.status_code.includes(status);
  return {
    changed: false,
    status,
    content_type: contentType,
    ...(json !== undefined ? { json } : {}),
    ...(a.return_content ? { content } : {}),
    ...(ok ? { msg: `OK (${Buffer.byteLength(content)} bytes)` } : { failed: true, msg: `Status code was ${status} and not [${a.status_code.join(', ')}]` }),
  };
};

const request = async (args: UriArgs, ctx: ModuleContext): Promise<ModuleResult> => {
  const res = await ctx.exec(`curl -K - ${shellJoin(curlFlags(args))}`, { stdin: requestConfig(args), timeoutMs: (args.timeout + 10) * 1000 });
  if (res.code !== 0) {
    return {
      changed: false,
      failed: true,
      status: -1,
      msg: `Status code was -1 and not [${args.status_code.join(', ')}]: Request failed: ${res.stderr.trim()}`,
    };
  }
  return response(args, res.stdout);
};

const SAFE = new Set(['GET', 'HEAD']);

/** An HTTP request made from the host (curl), so services bound to the host's loopback are reachable. */
export const uriModule = defineModule({
  name: 'uri',
  args: uriArgs,
  // Ansible's action plugin runs it under its legacy name
  noCheckMode: { ansibleName: 'ansible.legacy.uri' },
  // for TypeScript code (ctx.call), reading is safe in check mode too and is the plan itself; a request that may
  // change something is the change
  plan: async (args, ctx) => {
    if (!SAFE.has(args.method)) return { changes: [{ summary: `${args.method} ${args.url}` }], unplannable: `${args.method} is not sent in check mode` };
    const { failed, msg, ...result } = await request(args, ctx);
    return { changes: [], result: { ...result, msg }, failed: failed ? msg : undefined };
  },
  apply: (_changes, args, ctx) => request(args, ctx),
});
