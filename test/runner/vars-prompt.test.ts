import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_INVENTORY, results, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
  await ws.write('inventory.yml', LOCAL_INVENTORY);
  await ws.write(
    'site.yml',
    `- hosts: alpha
  gather_facts: false
  vars_prompt:
    - { name: public_ip, prompt: "Public IP of the server", private: false, validate: '\\d+\\.\\d+\\.\\d+\\.\\d+' }
    - { name: key_workflow, prompt: "Key workflow", private: false, choices: [quick, secure], default: quick }
    - { name: pass_phrase, prompt: "Keyring password" }
  tasks:
    - debug: { msg: "{{ public_ip }} {{ key_workflow }} {{ pass_phrase }}" }
`,
  );
});
afterEach(() => ws.cleanup());

describe('vars_prompt', () => {
  it('without a terminal, a missing value is an error naming it', async () => {
    await expect(ws.run('site.yml')).rejects.toThrow(/'public_ip' is required \(Public IP of the server\).*-e public_ip=/);
  });

  it('takes values from -e without asking, defaults apply', async () => {
    const res = await ws.run('site.yml', { extraVars: { public_ip: '203.0.113.7', pass_phrase: 'p' } });
    expect(res.code).toBe(0);
  });

  it('asks again until the answer is valid, and hides private answers from all output', async () => {
    const asked: string[] = [];
    const answers = ['not-an-ip', '203.0.113.7', 'maybe', 'secure', 'correct-horse'];
    const res = await ws.run('site.yml', {
      prompter: async (question, hidden) => {
        asked.push(`${hidden ? 'hidden' : 'shown'}:${question}`);
        return answers.shift()!;
      },
    });
    expect(res.code).toBe(0);
    expect(asked).toEqual([
      'shown:Public IP of the server: ',
      'shown:Public IP of the server: ',
      'shown:Key workflow (quick/secure) [quick]: ',
      'shown:Key workflow (quick/secure) [quick]: ',
      'hidden:Keyring password: ',
    ]);
    expect(String(results(res.events)[0].result.msg)).toBe('203.0.113.7 secure ********');
    expect(JSON.stringify(res.events)).not.toContain('correct-horse');
  });
});
