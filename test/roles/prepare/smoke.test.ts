import { expect, it } from 'vitest';
import { keyServer, simFleet, failures } from './harness.js';
it('smoke', async () => {
  const keys = await keyServer();
  const fleet = await simFleet({ fresh: { profile: 'fresh-2204' } }, keys.url, { allow_reboot: true, preflight_ports: [1] });
  const r = await fleet.run();
  console.log(r.code, JSON.stringify(r.stats), failures(r.events, 'fresh'));
  const r2 = await fleet.run();
  console.log(r2.code, JSON.stringify(r2.stats), failures(r2.events, 'fresh'), r2.events.filter((e) => e.type === 'task_result' && e.status === 'changed').map((e) => (e as { task: string }).task));
  await fleet.cleanup(); await keys.close();
  expect(r.code).toBe(0);
}, 120000);
