import { shellJoin } from '../transport/shell-quote.js';
import type { BackupFile } from './backup-archive.js';

/**
 * What makes a network node itself, relative to the deploy dir (reference gonka-operations.md §10): the tmkms
 * consensus key, the server keyring (warm key), the p2p node key, config.env (KEYRING_PASSWORD and the node's
 * settings). Everything else is rebuilt by state sync.
 */
export const IDENTITY_PATHS = ['.tmkms/secrets', '.inference/keyring-file', '.inference/config/node_key.json', 'config.env'] as const;
/** optional: the api's ML node list, seeds and settings */
export const API_STATE_PATHS = ['.dapi/api-config.yaml', '.dapi/gonka.db'] as const;
export const CONSENSUS_KEY_PATH = '.tmkms/secrets/priv_validator_key.softsign';
export const NODE_KEY_PATH = '.inference/config/node_key.json';

/** Prints `path<TAB>octal mode<TAB>base64` for every regular file under the given paths (relative to the deploy dir). */
export const readFilesScript = (deployDir: string, paths: readonly string[]): string =>
  `cd ${shellJoin([deployDir])} || exit 3
for p in ${shellJoin([...paths])}; do
  [ -e "$p" ] || continue
  find "$p" -type f | LC_ALL=C sort | while IFS= read -r f; do
    printf '%s\\t%s\\t' "$f" "$(stat -c %a -- "$f")"; base64 -w0 -- "$f" || exit 4; printf '\\n'
  done
done`;

export const parseFiles = (stdout: string): BackupFile[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [path, mode, content] = line.split('\t');
      return { path, mode: Number.parseInt(mode, 8), content: Buffer.from(content ?? '', 'base64') };
    });

/**
 * Writes one file from stdin (base64) atomically with its mode, its directory created 0700 when missing: the
 * content never reaches a command line.
 */
export const writeFileScript = (deployDir: string, file: BackupFile): string => {
  const mode = (file.mode & 0o777).toString(8);
  return `set -e
cd ${shellJoin([deployDir])}
f=${shellJoin([file.path])}
umask 077
mkdir -p -- "$(dirname -- "$f")"
base64 -d > "$f.nop-restore"
chmod ${mode} -- "$f.nop-restore"
mv -f -- "$f.nop-restore" "$f"`;
};
