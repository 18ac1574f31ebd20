// The explorer dashboard (:5173 inside the Docker network), served by the proxy at / when DASHBOARD_PORT is set.
import { sendText } from '../http-util.mjs';

export function startExplorer() {
  const handle = (req, res) =>
    sendText(res, 200, '<!DOCTYPE html><html><head><title>Gonka Explorer</title></head><body><div id="app"></div></body></html>\n', 'text/html');
  return { handlers: { 5173: handle }, handle, state: () => 'running', close() {} };
}
