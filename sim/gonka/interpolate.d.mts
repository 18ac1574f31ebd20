export function parseEnvFile(text: string): Record<string, string>;
export function readEnvFile(file: string | undefined): Record<string, string>;
export function interpolate(text: string, vars: Record<string, string | undefined>): string;
