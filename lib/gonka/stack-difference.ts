/** What part of a deploy file a difference is in. */
export type StackAspect = 'service' | 'image' | 'env' | 'port' | 'volume' | 'command' | 'profile' | 'variable';

/**
 * One semantic difference between upstream's deploy/join files and nop's: `upstream` or `nop` is undefined where
 * that side lacks the thing. Values are as the containers see them (config.env and compose defaults resolved).
 */
export interface StackDifference {
  /** docker-compose.yml, docker-compose.mlnode.yml or config.env */
  file: string;
  /** the compose service (nop's name); undefined for config.env variables */
  service?: string;
  aspect: StackAspect;
  /** env or config.env variable name, container port (`9100/tcp`), container path of a volume, image part (`repository`, `tag`) */
  key: string;
  upstream?: string;
  nop?: string;
}
