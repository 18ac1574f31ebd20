/** The last lines of a command's output: what an operator needs from a failed compose or CLI call. */
export const lastLines = (text: string, n: number): string => text.trim().split('\n').slice(-n).join('\n');
