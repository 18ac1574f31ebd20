import { uriModule } from '../modules/builtin/uri.js';
import type { ModuleContext } from '../modules/module.js';

export interface HostResponse {
  /** HTTP status; -1 when nothing answered */
  status: number;
  json?: unknown;
  content?: string;
  /** the uri module's message when nothing (or something unexpected) answered */
  msg?: string;
}

// every status is an answer the caller interprets; only "nothing answered" is -1
const ANY_STATUS = Array.from({ length: 500 }, (_, i) => i + 100);

/**
 * An HTTP request made from the host itself (the uri module runs curl there), so the chain RPC, the admin API
 * and the ML node API stay bound to loopback or the private address and are never exposed to reach them.
 * In check mode the uri module sends only GETs.
 */
export const hostRequest = async (
  ctx: ModuleContext,
  url: string,
  opts: { method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; body?: unknown; timeout?: number } = {},
): Promise<HostResponse> => {
  const res = await ctx.call(uriModule, {
    url,
    method: opts.method ?? 'GET',
    status_code: ANY_STATUS,
    timeout: opts.timeout ?? 10,
    return_content: true,
    ...(opts.body === undefined ? {} : { body: opts.body, body_format: 'json' }),
  });
  const content = typeof res.content === 'string' ? res.content : undefined;
  if (res.failed) return { status: -1, msg: res.msg };
  return { status: Number(res.status ?? -1), json: res.json, content, msg: res.msg };
};
