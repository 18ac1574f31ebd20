import { describe, expect, it } from 'vitest';
import { loadAllModules, loadedModule, loadModules, moduleNameOf, moduleNames } from '../../lib/modules/module-index.js';
import { builtinModules, lookupModule } from '../../lib/modules/registry.js';

// the index loads each module when a playbook calls it; the registry holds them all at once: the two must agree
describe('module index', () => {
  it('names the registry’s modules, and loads each as the registry holds it', async () => {
    expect(moduleNames().sort()).toEqual([...builtinModules.keys()].sort());
    await loadAllModules();
    for (const [name, def] of builtinModules) expect(loadedModule(name), name).toBe(def);
  });

  it('reaches a module moved to a collection by that collection’s name, as the registry does', () => {
    const moved = [...builtinModules.values()].filter((m) => m.fqcn);
    expect(moved.map((m) => m.name).sort()).toEqual(['authorized_key', 'mount', 'sysctl', 'timezone']);
    for (const m of moved) expect(moduleNameOf(m.fqcn!)).toBe(m.name);
    expect(moduleNameOf('ansible.builtin.copy')).toBe('copy');
    expect(moduleNameOf('ansible.legacy.shell')).toBe('shell');
    expect(moduleNameOf('community.general.copy')).toBeUndefined();
    expect(moduleNameOf('when')).toBeUndefined();
    expect(lookupModule('ansible.posix.mount')).toBe(builtinModules.get('mount'));
  });

  it('loads what task keys name and ignores the keys that name no module', async () => {
    await loadModules(['ansible.builtin.lineinfile', 'name', 'become', 'no_such_module']);
    expect(loadedModule('lineinfile')).toBe(builtinModules.get('lineinfile'));
    expect(loadedModule('no_such_module')).toBeUndefined();
  });
});
