import { hostHttp, type HostHttpRequest, type HostHttpResponse } from '../modules/host-http.js';
import type { Transport } from '../transport/transport.js';
import { summarizeNodes, type MlNodeSummary } from './admin-nodes.js';

/** The admin API refused or could not be reached. */
export class AdminApiError extends Error {
  constructor(what: string, res: HostHttpResponse) {
    const detail =
      res.status === 0
        ? (res.error ?? 'no answer')
        : `HTTP ${res.status}${typeof res.json === 'object' && res.json && 'error' in res.json ? `: ${String((res.json as { error: unknown }).error)}` : ''}`;
    super(`${what}: ${detail}`);
    this.name = 'AdminApiError';
  }
}

/** A node-config entry as the admin API takes it. */
export interface NodeRegistration {
  id: string;
  host: string;
  inference_port: number;
  poc_port: number;
  max_concurrent: number;
  models: Record<string, { args: string[] }>;
  hardware: { type: string; count: number }[];
}

export interface AdminApi {
  transport: Transport;
  /** e.g. http://127.0.0.1:9200 as the host reaches it */
  base: string;
}

// curl on the host: the admin API listens on its loopback or private address
const onHost = (transport: Transport, req: HostHttpRequest): Promise<HostHttpResponse> => hostHttp((script, opts) => transport.exec(script, opts), req);

const call = async (api: AdminApi, what: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) => {
  const res = await onHost(api.transport, { method, url: `${api.base}${path}`, body });
  if (res.status < 200 || res.status >= 300) throw new AdminApiError(what, res);
  return res.json === undefined ? res.text : res.json;
};

const nodePath = (id: string) => `/admin/v1/nodes/${encodeURIComponent(id)}`;

export const listMlNodes = async (api: AdminApi): Promise<MlNodeSummary[]> => summarizeNodes(await call(api, 'list ML nodes', 'GET', '/admin/v1/nodes'));

export const setMlNodeEnabled = async (api: AdminApi, id: string, enabled: boolean): Promise<void> => {
  await call(api, `${enabled ? 'enable' : 'disable'} ML node ${id}`, 'POST', `${nodePath(id)}/${enabled ? 'enable' : 'disable'}`);
};

export const addMlNode = async (api: AdminApi, entry: NodeRegistration): Promise<void> => {
  await call(api, `add ML node ${entry.id}`, 'POST', '/admin/v1/nodes', entry);
};

/** true when the node existed. */
export const removeMlNode = async (api: AdminApi, id: string): Promise<boolean> => (await call(api, `remove ML node ${id}`, 'DELETE', nodePath(id))) === true;

// PUT exists from api v0.2.4 on
const supportsPut = (version: string): boolean => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b, c] = m.slice(1).map(Number);
  return a > 0 || b > 2 || (b === 2 && c >= 4);
};

/**
 * The api's version from `/v1/versions`: an object `{application_name, version, commit}` since v0.2.15 (reference
 * edition 2, §2.3), a bare string before.
 */
export const apiVersionOf = (body: unknown): string => {
  const v = (body as { api_version?: unknown } | undefined)?.api_version;
  if (typeof v === 'string') return v;
  const inner = (v as { version?: unknown } | undefined)?.version;
  return typeof inner === 'string' ? inner : '';
};

/** Update in place where the api supports PUT (`/v1/versions` on the public API), else DELETE then POST. */
export const updateMlNode = async (api: AdminApi, publicBase: string | undefined, entry: NodeRegistration): Promise<'put' | 'replace'> => {
  const versions = publicBase ? await onHost(api.transport, { url: `${publicBase}/v1/versions` }) : undefined;
  const version = versions?.status === 200 ? apiVersionOf(versions.json) : '';
  if (supportsPut(version)) {
    await call(api, `update ML node ${entry.id}`, 'PUT', nodePath(entry.id), entry);
    return 'put';
  }
  await removeMlNode(api, entry.id);
  await addMlNode(api, entry);
  return 'replace';
};
