import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { overlayVars } from '../template/overlay.js';
import { renderHandlebars, renderTemplateFile } from '../template/render.js';
import { directoryScript } from '../transport/op-batch.js';
import { shellTemplate } from '../transport/shell-quote.js';
import type { ExecOptions } from '../transport/transport.js';
import { CommandError, type ModuleContext, type ModuleDefinition } from './module.js';
import { runModule } from './run-module.js';

export interface ModuleContextOptions extends Pick<ModuleContext, 'hostname' | 'transport' | 'facts' | 'check' | 'diff' | 'become' | 'vars'> {
  env?: Record<string, string>;
  /** directories searched for `template src:` in order (role templates/ first) */
  templateDirs: string[];
  /** directories searched for `copy src:` in order (role files/ first) */
  fileDirs: string[];
  progress?: (line: string) => void;
  /** the run was interrupted (Ctrl-C); absent outside a run */
  interrupted?: () => boolean;
  /** contexts on other inventory hosts (the runner's connection pool); absent outside a run */
  onHost?: (host: string) => Promise<ModuleContext>;
  /** a context on a new connection to this host (the runner's pool replaces the old one); absent outside a run */
  reconnect?: () => Promise<ModuleContext>;
  /** how `ctx.change` applies a change (the runner's write-behind, which may hold it); default: at once */
  change?: (script: string, opts: ExecOptions) => Promise<void>;
  /** how `ctx.makeDirectory` makes one (the runner's write-behind, which may hold it); default: its script at once */
  makeDirectory?: (path: string, mode: number | undefined, opts: ExecOptions) => Promise<void>;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

const findIn = async (dirs: readonly string[], name: string, what: string): Promise<string> => {
  if (isAbsolute(name)) {
    if (await exists(name)) return name;
    throw new Error(`${what} not found: ${name}`);
  }
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await exists(candidate)) return candidate;
  }
  throw new Error(`${what} '${name}' not found in ${dirs.join(', ')}`);
};

export const createModuleContext = (o: ModuleContextOptions): ModuleContext => {
  const execOpts = (opts: ExecOptions = {}): ExecOptions => ({
    become: o.become,
    ...opts,
    env: { ...o.env, ...opts.env },
  });
  const ctx: ModuleContext = {
    hostname: o.hostname,
    transport: o.transport,
    facts: o.facts,
    check: o.check,
    diff: o.diff,
    become: o.become,
    env: o.env ?? {},
    vars: o.vars,
    exec: (script, opts) => o.transport.exec(script, execOpts(opts)),
    change: async (script, opts) => {
      if (o.change) return o.change(script, execOpts(opts));
      const result = await o.transport.exec(script, execOpts(opts));
      if (result.code !== 0) throw new CommandError(script, result);
    },
    makeDirectory: async (path, mode) => {
      if (o.makeDirectory) return o.makeDirectory(path, mode, execOpts());
      return ctx.change(directoryScript(path, mode));
    },
    $: async (strings, ...values) => {
      const command = shellTemplate(strings, ...values);
      const result = await o.transport.exec(command, execOpts());
      if (result.code !== 0) throw new CommandError(command, result);
      return result;
    },
    put: (dest, content, opts) => o.transport.put(dest, content, { become: o.become, ...opts }),
    render: (template, extra) => renderHandlebars(template, extra ? overlayVars(o.vars, extra) : o.vars),
    renderTemplateFile: (path, text, extra) => renderTemplateFile(path, text, extra ? overlayVars(o.vars, extra) : o.vars),
    findTemplate: (name) => findIn(o.templateDirs, name, 'template'),
    findFile: (name) => findIn(o.fileDirs, name, 'file'),
    progress: (line) => o.progress?.(line),
    interrupted: () => o.interrupted?.() ?? false,
    onHost: (host) => {
      if (!o.onHost) return Promise.reject(new Error(`no connection to ${host}: this context is not part of a playbook run`));
      return o.onHost(host);
    },
    call: (module, args) => runModule(module as ModuleDefinition, args, ctx),
    reconnect: async () => {
      if (o.reconnect) return o.reconnect();
      // outside a run there is no pool: this context's own transport, its facts forgotten
      o.facts.invalidate();
      return ctx;
    },
  };
  return ctx;
};
