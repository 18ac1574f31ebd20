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
  invalidate(path: string): void;
  /** a cached fact of any kind (GPUs, docker state...) computed by `load` at most once until dropped */
  cached<T>(key: string, load: () => Promise<T>): Promise<T>;
  drop(key: string): void;
}

export const createHostFacts = (transport: Transport, execOpts: () => ExecOptions = () => ({})): HostFacts => {
  const states = new Map<string, FileState>();
  const contents = new Map<string, Buffer | null>();
  const others = new Map<string, Promise<unknown>>();

  const prefetch = async (probes: readonly FileProbe[]) => {
    const missing = probes.filter((p) => !states.has(p.path) || (p.content && !contents.has(p.path)));
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
    // a changed directory may have changed everything below it
    invalidate: (path) => {
      const below = `${path.replace(/\/$/, '')}/`;
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
