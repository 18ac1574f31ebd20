import { shellJoin } from '../../transport/shell-quote.js';
import { defineFact } from '../fact.js';

/** A git working tree as git sees it: absent, a non-repository path, or a repository's HEAD, remote URL and local changes. */
export interface GitCheckout {
  state: 'absent' | 'empty' | 'other' | 'repo';
  head?: string;
  remoteUrl?: string;
  /** tracked files modified (Ansible's local modifications) */
  dirty?: boolean;
}

export interface GitCheckoutArg {
  dest: string;
  remote: string;
}

export const gitCheckout = defineFact<GitCheckoutArg, GitCheckout>({
  name: 'git_checkout',
  command: (args) =>
    args
      .map(
        (a) => `set -- ${shellJoin([a.dest, a.remote])}
if [ -e "$1/.git" ]; then
  printf 'repo\\0%s\\0%s\\0%s\\0' "$(git -C "$1" rev-parse HEAD 2>/dev/null)" "$(git -C "$1" config --get "remote.$2.url" 2>/dev/null)" "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null | head -c 1)"
elif [ -d "$1" ] && [ -z "$(ls -A -- "$1")" ]; then printf 'empty\\0\\0\\0\\0'
elif [ -e "$1" ]; then printf 'other\\0\\0\\0\\0'
else printf 'absent\\0\\0\\0\\0'; fi`,
      )
      .join('\n'),
  parse: ({ stdout }, args) => {
    const f = stdout.split('\0');
    return args.map((_, i) => {
      const [state, head, url, dirty] = f.slice(4 * i, 4 * i + 4);
      if (state !== 'repo') return { state: (state as GitCheckout['state']) || 'absent' };
      return { state: 'repo', head: head || undefined, remoteUrl: url || undefined, dirty: dirty !== '' };
    });
  },
  key: (a) => `${a.remote}\0${a.dest}`,
  affects: (changed, cached) => cached.dest === changed.dest || cached.dest.startsWith(`${changed.dest}/`) || changed.dest.startsWith(`${cached.dest}/`),
});
