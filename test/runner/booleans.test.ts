import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeExtraVars } from '../../lib/cli/extra-vars.js';
import { copyModule } from '../../lib/modules/builtin/copy.js';
import { evaluate } from '../../lib/template/expression.js';
import { asBoolean, parseBoolean } from '../../lib/template/boolean.js';
import { KeysVarsSchema } from '../../roles/keys/vars.js';
import { NvidiaVarsSchema } from '../../roles/nvidia/vars.js';
import { RepairVarsSchema } from '../../roles/repair/vars.js';
import { UpdateVarsSchema } from '../../roles/update/vars.js';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
});
afterEach(() => ws.cleanup());

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

describe('one boolean parser', () => {
  it("takes Ansible's spellings in any case, and nothing else", () => {
    for (const t of [true, 1, 'yes', 'YES', 'y', 'on', 'On', 'true', 'True', 't', '1', ' yes ']) expect(asBoolean(t)).toBe(true);
    for (const f of [false, 0, 'no', 'No', 'n', 'off', 'OFF', 'false', 'FALSE', 'f', '0']) expect(asBoolean(f)).toBe(false);
    for (const x of ['maybe', 'flase', '', '2', 2, null, undefined, [], {}]) expect(asBoolean(x)).toBeUndefined();
    expect(() => parseBoolean('flase', 'allow_unverified')).toThrow(/^allow_unverified: "flase" is not a boolean/);
  });

  it('reads -e allow_unverified=false as false in every role that takes a boolean', async () => {
    const extra = await mergeExtraVars(['allow_unverified=false allow_downgrade=no update_network_images=False']);
    expect(extra.allow_unverified).toBe('false');
    expect(RepairVarsSchema.shape.allow_unverified.parse(extra.allow_unverified)).toBe(false);
    expect(UpdateVarsSchema.shape.allow_downgrade.parse(extra.allow_downgrade)).toBe(false);
    expect(UpdateVarsSchema.shape.update_network_images.parse(extra.update_network_images)).toBe(false);
    expect(NvidiaVarsSchema.shape.allow_reboot.parse('0')).toBe(false);
    expect(KeysVarsSchema.shape.cold_mnemonic_kept_by_operator.parse('False')).toBe(false);
    expect(NvidiaVarsSchema.shape.nvidia_hold_driver.parse('yes')).toBe(true);
    const bad = RepairVarsSchema.shape.allow_unverified.safeParse('flase');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toMatch(/"flase" is not a boolean/);
  });

  it('converts templated module arguments and ansible_become from -e strings, and names a bad one', async () => {
    await ws.write(
      'site.yml',
      `- hosts: alpha
  gather_facts: false
  tasks:
    - copy: { dest: "{{ playbook_dir }}/f", content: "x", force: "{{ overwrite }}" }
    - copy: { dest: "{{ playbook_dir }}/f", content: "changed", force: "{{ overwrite }}" }
    - debug: { msg: overwriting }
      when: overwrite | bool
`,
    );
    const no = await ws.run('site.yml', { extraVars: { overwrite: 'false' } });
    expect(no.code).toBe(0);
    // force=false: the second copy leaves the existing file alone
    expect(results(no.events).map((e) => e.status)).toEqual(['changed', 'ok', 'skipped']);
    expect(await exists(join(ws.dir, 'f'))).toBe(true);
    const bad = await ws.run('site.yml', { extraVars: { overwrite: 'sometimes' } });
    expect(results(bad.events)[0].result.msg).toMatch(/'force': "sometimes" is not a boolean/);

    await ws.write('become.yml', '- hosts: alpha\n  gather_facts: false\n  tasks:\n    - command: "true"\n');
    const become = await ws.run('become.yml', { extraVars: { ansible_become: 'perhaps' } });
    expect(results(become.events)[0].result.msg).toMatch(/ansible_become: "perhaps" is not a boolean/);
    expect((await ws.run('become.yml', { extraVars: { ansible_become: 'no' } })).code).toBe(0);
  });

  it("makes the bool filter strict and the module's own boolean arguments the same", () => {
    expect(evaluate('x | bool', { x: 'Off' })).toBe(false);
    expect(() => evaluate('x | bool', { x: 'offf' })).toThrow(/"offf" is not a boolean/);
    expect(copyModule.args.safeParse({ dest: '/x', content: '', force: 'Yes' }).data).toMatchObject({ force: true });
  });
});
