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
    - { name: public_ip, prompt: "Public IP of the server", private: false, validate: public_address }
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

  it('refuses a check that has no name, listing the checks there are', async () => {
    await ws.write('bad.yml', '- hosts: alpha\n  vars_prompt:\n    - { name: ip, prompt: IP, validate: "[0-9.]+" }\n  tasks: []\n');
    await expect(ws.run('bad.yml')).rejects.toThrow(
      /bad\.yml:3:.*validate: must name a check: public_address \(an IP address or DNS name reachable from the internet/,
    );
  });

  it('does not show a play that only asks questions', async () => {
    await ws.write(
      'ask.yml',
      '- name: Settings\n  hosts: alpha\n  gather_facts: false\n  vars_prompt:\n    - { name: who, prompt: Who, private: false }\n  tasks: []\n- name: Work\n  hosts: alpha\n  gather_facts: false\n  tasks:\n    - debug: { msg: "{{ who }}" }\n',
    );
    const res = await ws.run('ask.yml', { prompter: { ask: async () => 'me', tell: () => undefined } });
    expect(res.code).toBe(0);
    expect(res.events.filter((e) => e.type === 'play_start').map((e) => e.type === 'play_start' && e.name)).toEqual(['Work']);
    expect(res.events.some((e) => e.type === 'warning')).toBe(false);
  });

  it('takes values from -e without asking, defaults apply', async () => {
    const res = await ws.run('site.yml', { extraVars: { public_ip: '203.0.113.7', pass_phrase: 'p' } });
    expect(res.code).toBe(0);
  });

  it('asks again until the answer is valid, says why in words, and hides private answers from all output', async () => {
    const asked: string[] = [];
    const told: string[] = [];
    const answers = ['not an ip', '10.0.0.5', 'http://203.0.113.7', '203.0.113.7', 'maybe', 'secure', 'correct-horse'];
    const res = await ws.run('site.yml', {
      prompter: {
        ask: async (question, hidden) => {
          asked.push(`${hidden ? 'hidden' : 'shown'}:${question}`);
          return answers.shift()!;
        },
        tell: (message) => told.push(message),
      },
    });
    expect(res.code).toBe(0);
    expect(asked).toEqual([
      'shown:Public IP of the server: ',
      'shown:Public IP of the server: ',
      'shown:Public IP of the server: ',
      'shown:Public IP of the server: ',
      'shown:Key workflow (quick/secure) [quick]: ',
      'shown:Key workflow (quick/secure) [quick]: ',
      'hidden:Keyring password: ',
    ]);
    expect(told).toEqual([
      "public_ip: 'not an ip' is neither an IP address nor a DNS name: it may contain only letters, digits, hyphens and dots",
      "public_ip: '10.0.0.5' must be reachable from the internet, but 10.0.0.5 is a private network address: give the address other participants will connect to",
      "public_ip: 'http://203.0.113.7' is a URL: give only the address, without http:// or a port",
      "key_workflow: 'maybe' is not one of: quick, secure",
    ]);
    expect(String(results(res.events)[0].result.msg)).toBe('203.0.113.7 secure ********');
    expect(JSON.stringify(res.events)).not.toContain('correct-horse');
  });
});
