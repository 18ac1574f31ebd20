import { describe, expect, it } from 'vitest';
import { assertModule } from '../../lib/modules/builtin/assert.js';
import { debugModule } from '../../lib/modules/builtin/debug.js';
import { failModule } from '../../lib/modules/builtin/fail.js';
import { setFactModule } from '../../lib/modules/builtin/set_fact.js';
import { countingTransport, runModule } from './helpers.js';

const vars = { gpus: [{ name: 'H100' }, { name: 'H100' }], height: 1200, node: { synced: true } };

describe('assert', () => {
  it('passes when every condition holds', async () => {
    const res = await runModule(assertModule, { that: ['gpus | length >= 2', 'node.synced', 'height > 1000'], success_msg: 'ready' }, { vars });
    expect(res).toEqual({ changed: false, msg: 'ready' });
  });

  it('fails naming the first condition that does not hold', async () => {
    const res = await runModule(assertModule, { that: ['node.synced', 'height > 5000'], fail_msg: 'not synced yet' }, { vars });
    expect(res).toEqual({ changed: false, failed: true, assertion: 'height > 5000', evaluated_to: false, msg: 'not synced yet' });
    expect(await runModule(assertModule, { that: 'height < 0' }, { vars })).toMatchObject({ msg: 'Assertion failed' });
  });

  it('runs in check mode too, on the controller only', async () => {
    const transport = countingTransport();
    expect((await runModule(assertModule, { that: 'height == 1200', quiet: true }, { vars, check: true, transport })).failed).toBeUndefined();
    expect(transport.scripts).toEqual([]);
  });
});

describe('debug', () => {
  it('shows a message or a variable', async () => {
    expect(await runModule(debugModule, { msg: 'height is 1200' })).toEqual({ changed: false, msg: 'height is 1200' });
    expect(await runModule(debugModule, {})).toEqual({ changed: false, msg: 'Hello world!' });
    expect(await runModule(debugModule, { var: 'node.synced' }, { vars })).toEqual({ changed: false, 'node.synced': true });
    expect(await runModule(debugModule, { var: 'nothing_here' }, { vars })).toEqual({ changed: false, nothing_here: 'VARIABLE IS NOT DEFINED!' });
    // as Ansible's debug: a mapping stays a mapping (the reporter prints it)
    expect((await runModule(debugModule, { msg: { a: 1 } })).msg).toEqual({ a: 1 });
    // a msg of None is None; only a missing msg is the greeting
    expect((await runModule(debugModule, { msg: null })).msg).toBeNull();
  });

  it('templates var as `{{ var }}`, typed as Ansible 2.14 types a templated value', async () => {
    const numbers = { n: 3, l: [1, 2] };
    expect(await runModule(debugModule, { var: 'n' }, { vars: numbers })).toEqual({ changed: false, n: 3 });
    expect(await runModule(debugModule, { var: 'n + 1' }, { vars: numbers })).toEqual({ changed: false, 'n + 1': '4' });
    expect(await runModule(debugModule, { var: 'l | length' }, { vars: numbers })).toEqual({ changed: false, 'l | length': '2' });
    expect(await runModule(debugModule, { var: '4 / 2' }, { vars: numbers })).toEqual({ changed: false, '4 / 2': '2.0' });
    expect(await runModule(debugModule, { var: 'l' }, { vars: numbers })).toEqual({ changed: false, l: [1, 2] });
  });
});

describe('set_fact', () => {
  it('returns the facts as ansible_facts, without cacheable', async () => {
    expect(await runModule(setFactModule, { node_ready: true, seeds: ['a', 'b'], cacheable: 'yes' })).toEqual({
      changed: false,
      ansible_facts: { node_ready: true, seeds: ['a', 'b'] },
    });
    expect(() => setFactModule.args.parse({ 'not-a-name': 1 })).toThrow(/variable name/);
    expect(() => setFactModule.args.parse({ cacheable: true })).toThrow(/at least one/);
  });
});

describe('fail', () => {
  it('fails with the message', async () => {
    expect(await runModule(failModule, { msg: 'no GPU found' })).toEqual({ changed: false, failed: true, msg: 'no GPU found' });
    expect(await runModule(failModule, {})).toMatchObject({ msg: 'Failed as requested from task' });
  });
});
