// The Ethereum bridge (geth + prysm): geth's p2p on 30303 (tcp and udp discovery) where the compose file publishes
// it, checkpoint sync from BEACON_STATE_URL, state under .inference-eth. It syncs nothing in the simulator; its log
// carries the line operators grep for (§17: "Skeleton sync bounds").
import fs from 'node:fs';
import { hostPathOf } from '../compose-project.mjs';

export function startBridge({ service, log, now }) {
  const env = service.environment;
  for (const dir of ['/data/geth', '/data/prysm', '/data/jwt', '/persistent-db']) {
    const host = hostPathOf(service, dir);
    if (host) fs.mkdirSync(host, { recursive: true });
  }
  log(`INFO [prysm] Requesting checkpoint state url=${env.BEACON_STATE_URL ?? ''}`);
  log(`INFO [geth] Started P2P networking self=enode://…@127.0.0.1:30303`);
  log(`INFO [geth] Skeleton sync bounds head=0 tail=0 at=${new Date(now()).toISOString()}`);
  log(`INFO [bridge] posting blocks to ${env.BRIDGE_POSTBLOCK ?? ''}, addresses from ${env.BRIDGE_GETADDRESSES ?? ''}`);
  return { handlers: { 30303: 'tcp' }, state: () => 'running', close() {} };
}
