import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runPlaybook } from '../../lib/runner/run-playbook.js';
import type { RunEvent } from '../../lib/runner/types.js';
import { simConnect } from '../../sim/host/connect.js';
import { createSimHost, type SimHost } from '../../sim/host/create.js';

// A command that does not say what it changed may have changed anything: the facts read before it
// (packages, services, files; the crontab fact the same way, pinned in test/facts/fact-store.test.ts) must be read again by the tasks after it.

let dir: string;
let host: SimHost;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nop-stale-facts-'));
  host = await createSimHost({ profile: 'fresh-2204', dir: join(dir, 'host') });
  await writeFile(join(dir, 'inventory.yml'), stringify({ all: { hosts: { srv: {} } } }));
});
afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

type TaskResult = Extract<RunEvent, { type: 'task_result' }>;

const play = async (tasks: unknown[]) => {
  await writeFile(join(dir, 'site.yml'), stringify([{ hosts: 'all', gather_facts: false, tasks }]));
  const events: RunEvent[] = [];
  const summary = await runPlaybook({
    playbook: join(dir, 'site.yml'),
    inventories: [join(dir, 'inventory.yml')],
    emit: (e) => events.push(e),
    connect: simConnect({ srv: host }),
  });
  const status = (task: string) => events.find((e): e is TaskResult => e.type === 'task_result' && e.task === task)?.status;
  const failures = JSON.stringify(events.filter((e) => e.type === 'task_result' && e.status === 'failed'));
  return { ...summary, status, failures };
};

describe('facts a command may have changed are read again', () => {
  it('package → shell removes it → package installs it again', async () => {
    const res = await play([
      { name: 'jq first', package: { name: 'jq', state: 'present' } },
      { name: 'remove behind its back', shell: 'apt-get remove -y jq' },
      { name: 'jq again', package: { name: 'jq', state: 'present' } },
      { name: 'jq is there', command: 'dpkg-query -W -f=${Status} jq', changed_when: false },
    ]);
    expect(res.code, res.failures).toBe(0);
    expect(res.status('jq first')).toBe('changed');
    expect(res.status('jq again')).toBe('changed');
  });

  it('file and service facts are read again after a command too', async () => {
    const res = await play([
      { name: 'chrony', package: { name: 'chrony', state: 'present' } },
      { name: 'file first', copy: { dest: '/etc/nop-stale', content: 'one\n' } },
      { name: 'service first', service: { name: 'chrony', state: 'started' } },
      { name: 'change both behind its back', shell: 'echo two > /etc/nop-stale; systemctl stop chrony' },
      { name: 'file again', copy: { dest: '/etc/nop-stale', content: 'one\n' } },
      { name: 'service again', service: { name: 'chrony', state: 'started' } },
    ]);
    expect(res.code, res.failures).toBe(0);
    expect(res.status('service first')).toBe('ok');
    expect(res.status('file again')).toBe('changed');
    expect(res.status('service again')).toBe('changed');
  });
});
