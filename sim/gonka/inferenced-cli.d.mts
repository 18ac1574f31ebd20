/** `inferenced query …` run in this process, in process.env's environment: what the command prints and its exit code. */
export function runQuery(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
