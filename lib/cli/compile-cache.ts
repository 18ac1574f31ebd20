/**
 * A V8 code cache for the CommonJS that nop loads (its bundle, ssh2, handlebars): compiling that code again on every
 * start was about a quarter of the CPU from `nop run` to its first connection. Node.js 22 has this built in
 * (module.enableCompileCache); nop runs on Node.js 20, where vm.Script's cachedData is the way.
 * An entry is named by the SHA-1 of the file's path and of the source it was compiled from, so a changed file never
 * meets an old entry (V8 checks its own version and flags, not the source), nor does a copy elsewhere (V8 would keep
 * the path the entry was made from in its stack traces), and lives in a directory per V8 version and architecture.
 * Entries are written when the process exits, so they hold every function the run compiled. A file's first entry
 * comes from the first run that loads it, which may have compiled little of it (`nop --version` before any `nop run`):
 * the second run completes it with what both compiled, and from then on it is only read (rewritten only when V8
 * rejects it). Each is written to a temporary file and renamed, so a reader never sees half of one. A directory that
 * others can write to is not used.
 */
import { createHash, hash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { constants, Script } from 'node:vm';

/** Entries not rewritten for this long are removed when new ones are written: what older builds left behind. */
const STALE_MS = 30 * 24 * 3600 * 1000;

/** Where the cache lives for this user and this V8: XDG's cache directory; none when NODE_DISABLE_COMPILE_CACHE is set (Node.js 22's switch). */
export const compileCacheDir = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'nop', `v8-${process.versions.v8}-${process.arch}`);
};

/** An entry to write at exit: `script`'s code, or `kept` (what it was loaded from) where that holds more; `replaces` goes. */
interface PendingEntry {
  entry: string;
  script: Script;
  kept?: Buffer;
  replaces?: string;
}

// crypto.hash (Node.js 20.12) hashes without a Hash object: the cheaper, on every file a start loads
const sha1 = (text: string): string => (typeof hash === 'function' ? hash('sha1', text) : createHash('sha1').update(text).digest('hex'));

type Compile = (this: Module, content: string, filename: string) => unknown;

interface ModuleInternals {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
}

/**
 * The `require` Node.js gives a module (its makeRequireFunction): requests resolve from the module and it becomes
 * their parent. createRequire(filename) would make a stand-in module for every file loaded, about 3 ms of a start.
 */
const requireOf = (module: Module): NodeJS.Require => {
  const internals = Module as unknown as ModuleInternals;
  const require = ((id: string) => module.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => internals._resolveFilename(request, module, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => internals._resolveLookupPaths(request, module);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = (Module as unknown as { _extensions: NodeJS.RequireExtensions })._extensions;
  require.cache = (Module as unknown as { _cache: NodeJS.Dict<NodeJS.Module> })._cache;
  return require;
};

const readEntry = (entry: string): Buffer | undefined => {
  try {
    return readFileSync(entry);
  } catch {
    return undefined;
  }
};

const removeStale = (dir: string, now: number) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (now - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
  }
};

/** A cache that cannot be written costs the next start its compile time, nothing else: failures are not the run's. */
const writeEntries = (dir: string, pending: PendingEntry[]) => {
  if (pending.length === 0) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const { entry, script, kept, replaces } of pending) {
      const code = script.createCachedData();
      const temporary = `${entry}.${process.pid}.tmp`;
      // V8 drops the code of functions a long run stopped calling: the entry it was loaded from may hold more
      writeFileSync(temporary, kept && kept.length > code.length ? kept : code);
      renameSync(temporary, entry);
      if (replaces) rmSync(replaces, { force: true });
    }
    removeStale(dir, Date.now());
  } catch {
    // read-only home, full disk: the next start compiles again
  }
};

/**
 * Whether a cache directory is this user's alone: V8 runs what an entry holds, so one that another user can write to
 * would be theirs to run code as this user (a shared XDG_CACHE_HOME). A directory not made yet is made 0700.
 */
const ownDirectory = (dir: string): boolean => {
  try {
    const { uid, mode } = statSync(dir);
    return uid === process.getuid?.() && (mode & 0o022) === 0;
  } catch {
    return true;
  }
};

/**
 * From now on, compile CommonJS through vm.Script with the cached code of its source from `dir`, and write the
 * missing, first and rejected entries when the process exits. Affects require() only: ES modules keep Node.js's own
 * loader.
 */
export const enableCompileCache = (dir: string): void => {
  if (!ownDirectory(dir)) return;
  const prototype = Module.prototype as unknown as { _compile: Compile };
  const compile = prototype._compile;
  const pending: PendingEntry[] = [];
  prototype._compile = function (this: Module, content: string, filename: string) {
    // a hashbang is only valid at the very start of a script, and the wrapper would come before it
    if (content.startsWith('#!')) return compile.call(this, content, filename);
    const name = sha1(`${filename}\0${sha1(content)}`);
    const complete = join(dir, `${name}.v8`);
    const first = join(dir, `${name}.first.v8`);
    const completeCode = readEntry(complete);
    const firstCode = completeCode ? undefined : readEntry(first);
    const cachedData = completeCode ?? firstCode;
    const script = new Script(Module.wrap(content), { filename, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    if (!cachedData) pending.push({ entry: first, script });
    else if (script.cachedDataRejected) pending.push({ entry: completeCode ? complete : first, script });
    else if (firstCode) pending.push({ entry: complete, script, kept: firstCode, replaces: first });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireOf(this), this, filename, dirname(filename));
  };
  process.once('exit', () => writeEntries(dir, pending));
};
