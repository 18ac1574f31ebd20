export function storedZip(name: string, data: Buffer): Buffer;
export interface ReleaseAsset {
  url: string;
  zip_sha256: string;
  binary_sha256: string;
}
export interface ReleaseServer {
  url: string;
  asset(tag: string, binary: 'inferenced' | 'decentralized-api'): ReleaseAsset;
  planInfo(tag: string): string;
  requests: string[];
  close(): Promise<void>;
}
export function startReleaseServer(releases: Record<string, { tampered?: boolean }>): Promise<ReleaseServer>;
