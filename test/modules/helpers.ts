import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createFactStore, type FactStore } from '../../lib/facts/fact-store.js';
import { createModuleContext } from '../../lib/modules/context.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../../lib/modules/module.js';
import { runModule as runPlanned } from '../../lib/modules/run-module.js';
import { localTransport } from '../../lib/transport/local.js';
import type { Transport } from '../../lib/transport/transport.js';

export const makeTempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'nop-modules-'));
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** A transport that records every script it runs, to count round trips. */
export const countingTransport = (inner: Transport = localTransport()): Transport & { scripts: string[] } => {
  const scripts: string[] = [];
  return {
    ...inner,
    scripts,
    exec: (script, opts) => {
      scripts.push(script);
      return inner.exec(script, opts);
    },
  };
};

export interface ContextOptions {
  check?: boolean;
  diff?: boolean;
  env?: Record<string, string>;
  vars?: Record<string, unknown>;
  templateDirs?: string[];
  fileDirs?: string[];
  transport?: Transport;
  /** reuse a host's cached facts (by default every context starts with a cold cache, like a new run) */
  facts?: FactStore;
}

export const makeContext = (o: ContextOptions = {}): ModuleContext => {
  const transport = o.transport ?? localTransport();
  return createModuleContext({
    hostname: 'localhost',
    transport,
    facts: (o.facts ?? createFactStore(transport, () => ({ env: o.env }))).reader(undefined),
    check: o.check ?? false,
    diff: o.diff ?? true,
    env: o.env,
    vars: o.vars ?? {},
    templateDirs: o.templateDirs ?? [],
    fileDirs: o.fileDirs ?? [],
  });
};

/** Run a module as the runner does: validate, read its facts, plan, and apply unless in check mode. */
export const runModule = (def: ModuleDefinition, args: unknown, o: ContextOptions | ModuleContext = {}): Promise<ModuleResult> => {
  const ctx = 'exec' in o ? o : makeContext(o);
  return runPlanned(def, args, ctx);
};

/** Every path below a directory with its type, mode and content hash: equal snapshots mean nothing was written. */
export const snapshotDir = async (dir: string): Promise<Record<string, string>> => {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      const key = relative(dir, p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[key] = `link ${await readlink(p)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${mode}`;
        await walk(p);
      } else
        out[key] = `file ${mode} ${createHash('sha256')
          .update(await readFile(p))
          .digest('hex')} ${st.mtimeMs}`;
    }
  };
  await walk(dir);
  return out;
};

/** Write an executable shell script into `<dir>/bin`, to stand in for a system tool; returns the bin dir. */
export const writeShim = async (dir: string, name: string, body: string): Promise<string> => {
  const bin = join(dir, 'bin');
  await mkdir(bin, { recursive: true });
  const path = join(bin, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return bin;
};

/** An environment whose PATH finds the shims first. */
export const shimEnv = (bin: string): Record<string, string> => ({ PATH: `${bin}:${process.env.PATH ?? ''}` });

/** A temp dir with state/ and logs/ for shims that keep what they did, and the env pointing them there. */
export const shimWorkspace = async (): Promise<{ dir: string; state: string; logs: string; env: Record<string, string> }> => {
  const dir = await makeTempDir();
  const state = join(dir, 'state');
  const logs = join(dir, 'logs');
  await mkdir(state);
  await mkdir(logs);
  return { dir, state, logs, env: { STATE: state, LOGS: logs } };
};
