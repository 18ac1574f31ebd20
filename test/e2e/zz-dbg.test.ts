import { it } from 'vitest';
import { createFleet, DEPLOY_KNOBS, PASSWORD, seedOverrides } from './sim-fleet.js';
it('dbg', async () => {
  const f = await createFleet([{ name: 'gpu1', profile: 'h100-8x', address: '127.0.0.1' }]);
  const s = f.servers.gpu1;
  await f.writeInventory({ all: { hosts: { gpu1: { ...s.vars, public_ip: '127.0.0.1', gonka_network: 'mainnet', keyring_password: PASSWORD, key_workflow: 'quick', gonka_network_overrides: seedOverrides(f.offset), ...DEPLOY_KNOBS } },
    children: { network_nodes: { hosts: { gpu1: null } }, ml_nodes: { hosts: { gpu1: null } } } } });
  try {
    const t0 = Date.now();
    const r = await f.run();
    let last = t0;
    for (const e of r.events) { if (e.type === 'task_result') { const now = Date.now(); console.log(e.status, e.task, String(e.result.msg ?? '').slice(0, 300)); last = now; } }
    console.log('first', (Date.now() - t0) / 1000, r.code);
    const t1 = Date.now();
    const r2 = await f.run();
    for (const x of r2.results) if (x.status !== 'ok' && x.status !== 'skipped') console.log('R2', x.status, x.task, String(x.result.msg ?? '').slice(0, 300));
    console.log('second', (Date.now() - t1) / 1000, r2.code); void last;
  } finally { await f.cleanup(); }
}, 300000);
