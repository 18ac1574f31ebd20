import { z } from 'zod';

export const DockerVarsSchema = z.object({
  /** Docker's signing key; empty means Docker's own URL for the host's distribution */
  docker_apt_key_url: z.string(),
  docker_internal_ports: z.array(z.number().int().min(1).max(65535)).min(1),
  docker_internal_sources: z.array(z.string().regex(/^[\d.]+\/\d+$/, 'expected an IPv4 CIDR')).min(1),
});

export type DockerVars = z.output<typeof DockerVarsSchema>;
