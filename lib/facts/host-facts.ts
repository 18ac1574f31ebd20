import type { ExecOptions, Transport } from '../transport/transport.js';
import { probeFiles, type FileProbe, type FileState } from './file-state.js';
import { gatherSystemFacts, type SystemFacts } from './system.js';

/**
 * What is true on one host, read once per run and cached. Modules read through it and call
 * `invalidate` for what they change, so nothing is probed twice and nothing stale is trusted.
 */
export interface HostFacts {
  system(): Promise<SystemFacts>;
  file(path: string): Promise<FileState>;
  /** a regular file's content, or null when absent */
  content(path: string): Promise<Buffer | null>;
  /** fetch many files' state (and content where asked) in one round trip */
  prefetch(probes: readonly FileProbe[]): Promise<void>;
  /**
   * Announce paths that upcoming tasks will read: the next cache miss fetches all of them in the same
   * round trip, so a run of file tasks costs one probe even after a change invalidated the cache.
   */
  expect(probes: readonly FileProbe[]): void;
  /** forget a path and everything below it (`/` forgets every file) */
  invalidate(path: string): void;
  /** a cached fact of any kind (GPUs, docker state...) computed by `load` at most once until dropped */
  cached<T>(key: string, load: () => Promise<T>): Promise<T>;
  drop(key: string): void;
}

export const createHostFacts = (transport: Transport, execOpts: () => ExecOptions = () => ({})): HostFacts => {
  const states = new Map<string, FileState>();
  const contents = new Map<string, Buffer | null>();
  const others = new Map<string, Promise<unknown>>();
  let expected: FileProbe[] = [];

  const isMissing = (p: FileProbe) => !states.has(p.path) || (p.content && !contents.has(p.path));

  const prefetch = async (probes: readonly FileProbe[]) => {
    if (!probes.some(isMissing)) return;
    const wanted = new Map<string, FileProbe>();
    for (const p of [...probes, ...expected].filter(isMissing)) {
      wanted.set(p.path, { path: p.path, content: p.content || wanted.get(p.path)?.content });
    }
    const missing = [...wanted.values()];
    if (missing.length === 0) return;
    const results = await probeFiles(transport, missing, execOpts());
    results.forEach((r, i) => {
      states.set(missing[i].path, r.state);
      if (r.content !== undefined) contents.set(missing[i].path, r.content);
    });
  };

  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = others.get(key);
    if (hit) return hit as Promise<T>;
    const p = load();
    others.set(key, p);
    p.catch(() => others.delete(key));
    return p;
  };

  return {
    system: () => cached('system', () => gatherSystemFacts(transport, execOpts())),
    file: async (path) => {
      await prefetch([{ path }]);
      return states.get(path)!;
    },
    content: async (path) => {
      await prefetch([{ path, content: true }]);
      const state = states.get(path)!;
      if (!state.exists) return null;
      return contents.get(path) ?? null;
    },
    prefetch,
    expect: (probes) => {
      expected = [...probes];
    },
    // a changed directory may have changed everything below it
    invalidate: (path) => {
      const below = path === '/' ? '/' : `${path.replace(/\/$/, '')}/`;
      for (const key of [...states.keys()]) {
        if (key === path || key.startsWith(below)) {
          states.delete(key);
          contents.delete(key);
        }
      }
    },
    cached,
    drop: (key) => void others.delete(key),
  };
};
