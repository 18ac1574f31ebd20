import { readFile } from 'node:fs/promises';

/** Where a backup's passphrase comes from: the play's hidden prompt (or `-e @file`), or a file on the control machine. */
export interface PassphraseVars {
  backup_passphrase?: string;
  backup_passphrase_file?: string;
}

// -e backup_passphrase=… puts it in the process arguments (ps, shell history): refused, whatever its value
const onCommandLine = (argv: readonly string[]): boolean => argv.some((a) => /(^|[\s,{'"])backup_passphrase['"]?\s*[=:]/.test(a));

let stdinPassphrase: Promise<string> | undefined;

const firstLine = (text: string): string => text.split(/\r?\n/)[0];

/**
 * The passphrase, or why there is none. `backup_passphrase_file: /dev/stdin` reads it from stdin once per run (every
 * host of the play gets the same).
 */
export const backupPassphrase = async (v: PassphraseVars, argv: readonly string[] = process.argv): Promise<string | { error: string }> => {
  if (onCommandLine(argv))
    return {
      error:
        'the backup passphrase is a secret: never on the command line (ps and shell history show it); answer the prompt, or use -e backup_passphrase_file=PATH',
    };
  if (v.backup_passphrase !== undefined && v.backup_passphrase !== '') return v.backup_passphrase;
  const file = v.backup_passphrase_file;
  if (!file)
    return {
      error: 'no passphrase: run on a terminal to be asked for it, or give -e backup_passphrase_file=PATH (a file on this machine; /dev/stdin reads stdin)',
    };
  try {
    if (file === '/dev/stdin' || file === '-') {
      stdinPassphrase ??= readFile('/dev/stdin', 'utf8').then(firstLine);
      return await stdinPassphrase;
    }
    return firstLine(await readFile(file, 'utf8'));
  } catch (e) {
    return { error: `backup_passphrase_file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
};
