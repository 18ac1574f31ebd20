import { parse } from 'yaml';
import { z } from 'zod';

const ComposeSchema = z
  .object({
    services: z
      .record(z.string(), z.object({ ports: z.array(z.union([z.string(), z.number()])).optional(), profiles: z.array(z.string()).optional() }).loose())
      .default({}),
  })
  .loose();

export interface PublishedPort {
  service: string;
  /** '' when docker publishes it on every address */
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

/** The ports a rendered compose file publishes (`"IP:HOST:CONTAINER"`, `"HOST:CONTAINER"` or `"PORT"`). */
export const publishedPorts = (composeText: string): PublishedPort[] => {
  const doc = ComposeSchema.parse(parse(composeText) ?? {});
  return Object.entries(doc.services).flatMap(([service, svc]) =>
    (svc.ports ?? []).map((spec) => {
      const parts = String(spec)
        .replace(/\/(tcp|udp)$/, '')
        .split(':');
      const containerPort = Number(parts.at(-1));
      const hostPort = Number(parts.length > 1 ? parts.at(-2) : parts[0]);
      return {
        service,
        hostIp:
          parts.length > 2
            ? parts
                .slice(0, -2)
                .join(':')
                .replace(/^\[|\]$/g, '')
            : '',
        hostPort,
        containerPort,
      };
    }),
  );
};

export const composeServices = (composeText: string): string[] => Object.keys(ComposeSchema.parse(parse(composeText) ?? {}).services);

/** The compose profiles of each service that has any; a service without profiles always starts. */
export const composeProfiles = (composeText: string): Record<string, string[]> =>
  Object.fromEntries(
    Object.entries(ComposeSchema.parse(parse(composeText) ?? {}).services).flatMap(([service, svc]) => (svc.profiles?.length ? [[service, svc.profiles]] : [])),
  );

/**
 * Whether `docker compose up` starts this service under COMPOSE_PROFILES (comma-separated, `*` for all): a service
 * without profiles always, one with profiles only when one of them is active.
 */
export const serviceStarts = (profiles: readonly string[] | undefined, composeProfilesVar: string | undefined): boolean => {
  if (!profiles?.length) return true;
  const active = (composeProfilesVar ?? '').split(',').map((p) => p.trim());
  return active.includes('*') || profiles.some((p) => active.includes(p));
};

/** Where the host itself reaches what a service publishes: its bind address, or loopback for every-address binds. */
export const internalUrl = (ports: readonly PublishedPort[], service: string, containerPort: number): string | undefined => {
  const p = ports.find((x) => x.service === service && x.containerPort === containerPort);
  if (!p) return undefined;
  const host = p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '127.0.0.1' : p.hostIp;
  return `http://${host}:${p.hostPort}`;
};

export interface DeployEndpoints {
  /** CometBFT RPC of the node (container port 26657) */
  rpc?: string;
  /** admin API of the api container (9200) */
  admin?: string;
  /** public API through the proxy (container port 80, host API_PORT) */
  api?: string;
}

export const deployEndpoints = (ports: readonly PublishedPort[]): DeployEndpoints => ({
  rpc: internalUrl(ports, 'node', 26657),
  admin: internalUrl(ports, 'api', 9200),
  api: internalUrl(ports, 'proxy', 80),
});
