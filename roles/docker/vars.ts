import { z } from 'zod';
import { booleanSchema } from '../../lib/template/boolean.js';

/** What the first task found: the Docker package already installed (kept), and the distribution Docker's repository is for. */
const FoundSchema = {
  docker_package: z.string().nullable().optional().describe('set by the docker role: the Docker package already installed (docker-ce or docker.io), kept'),
  docker_apt_distribution: z
    .object({ id: z.string(), codename: z.string() })
    .optional()
    .describe("set by the docker role: the distribution and codename Docker's apt repository is chosen for"),
};

export const DockerVarsSchema = z.object({
  docker_apt_key_url: z.string().describe("Docker's signing key; empty means Docker's own URL for the host's distribution"),
  docker_internal_ports: z
    .array(z.number().int().min(1).max(65535))
    .min(1)
    .describe("container-side ports reachable only from loopback, Docker's networks and docker_internal_sources (DOCKER-USER rules)"),
  docker_internal_sources: z
    .array(z.string().regex(/^[\d.]+\/\d+$/, 'expected an IPv4 CIDR'))
    .min(1)
    .describe('IPv4 CIDRs allowed to reach docker_internal_ports (loopback and the private ranges of a split topology)'),
  ansible_check_mode: booleanSchema.default(false).describe('set by nop: whether the run is in check mode'),
  ...FoundSchema,
  nop_docker_user_unit: z
    .looseObject({ changed: z.boolean() })
    .optional()
    .describe("the rules unit task's result: a unit written now is known to systemd after a daemon-reload"),
});

export type DockerVars = z.output<typeof DockerVarsSchema>;
