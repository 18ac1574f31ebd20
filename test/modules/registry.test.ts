import { describe, expect, it } from 'vitest';
import { builtinModules, lookupModule } from '../../lib/modules/registry.js';

describe('registry', () => {
  it('holds every builtin under its own name', () => {
    expect([...builtinModules.keys()].sort()).toEqual(
      [
        'apt',
        'apt_key',
        'apt_repository',
        'assert',
        'authorized_key',
        'blockinfile',
        'chain_tx',
        'command',
        'compose_service',
        'copy',
        'debconf',
        'cron',
        'debug',
        'docker_image',
        'fail',
        'fetch',
        'file',
        'find',
        'get_url',
        'getent',
        'git',
        'gonka_admin_node',
        'group',
        'hf_model',
        'hostname',
        'lineinfile',
        'mount',
        'package',
        'pause',
        'ping',
        'raw',
        'reboot',
        'replace',
        'service',
        'set_fact',
        'setup',
        'shell',
        'slurp',
        'stat',
        'sysctl',
        'systemd',
        'systemd_service',
        'tempfile',
        'template',
        'timezone',
        'unarchive',
        'uri',
        'user',
        'wait_for',
        'wait_for_connection',
      ].sort(),
    );
    for (const [name, def] of builtinModules) expect(def.name).toBe(name);
  });

  it('accepts collection-qualified names', () => {
    expect(lookupModule('ansible.builtin.copy')).toBe(builtinModules.get('copy'));
    expect(lookupModule('nop.lineinfile')).toBe(builtinModules.get('lineinfile'));
    expect(lookupModule('community.general.copy')).toBeUndefined();
    expect(lookupModule('nope')).toBeUndefined();
  });

  it('rejects unknown arguments in every module that takes named ones', () => {
    for (const [name, def] of builtinModules) {
      if (name === 'set_fact') continue;
      expect(def.args.safeParse({ no_such_option: 1 }).success, name).toBe(false);
    }
  });
});
