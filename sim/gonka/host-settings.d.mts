export interface HostSettings {
  portOffset: number;
  publicAddr: string;
  privateAddr: string;
}

export const DEFAULT_HOST_SETTINGS: Readonly<HostSettings>;
export function readHostSettings(stateDir: string): HostSettings;
export function writeHostSettings(stateDir: string, patch: Partial<HostSettings>): HostSettings;
