// One PoC generation run of an ML node, as its log shows it over simulated time (docs FAQ.md "How to simulate
// Proof-of-Compute (PoC)?", the lines a successful test prints; reference gonka-operations.md §12 for the PoC v2
// request): at the start "Created N GPU groups:" and one "Group i: GpuGroup(devices=[…], primary=…) (VRAM: …GB)"
// line per group, then "Using batch size: B for GPU group [i]" per group, then "Sending generated batch to URL"
// every few seconds; the batches cannot reach the api while it is paused ("Callback errors to url are expected in a
// test"). PoC v2 runs inside vLLM: a GPU group is one vLLM instance (its tensor-parallel GPUs).
//
// Failures (scenario `pocGeneration.failure`): 'oom', a batch too large for the GPUs' memory: torch's CUDA OOM at
// the first batch and a wedged engine that still reports running but answers nothing until its container restarts
// (docs poc_v2_test.md, "OOM (Out of Memory) / Container restart"); 'no-gpu-group': no vLLM backend takes the
// request ("No vLLM backends available", 503, pow_v2_routes.py).

const CONTROLLER = 'pow.compute.controller';
const SENDER = 'pow.service.sender';
const stamp = (now) => new Date(now).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
const line = (now, logger, level, text) => `${stamp(now)} - ${logger} - ${level} - ${text}`;

export const DEFAULT_POC_GENERATION = Object.freeze({
  // simulated seconds from the request to each group's batch-size line (after the group lines)
  batchAfterSeconds: 1,
  // simulated seconds between two batches sent to the callback url
  sendEverySeconds: 3,
  failure: null,
});

/**
 * A generation run: `groups` lists each group's GPU indices and VRAM (GB); `advance(now)` returns the log lines due
 * by `now` (each once); `wedged` after an OOM.
 */
export function startGeneration({ groups, batchSize, url, startedAt, settings, apiPaused }) {
  const s = { ...DEFAULT_POC_GENERATION, ...settings };
  const pending = [
    line(startedAt, CONTROLLER, 'INFO', `Created ${groups.length} GPU groups:`),
    ...groups.map((g, i) =>
      line(
        startedAt,
        CONTROLLER,
        'INFO',
        `  Group ${i}: GpuGroup(devices=[${g.devices.join(', ')}], primary=${g.devices[0]}) (VRAM: ${g.vramGb.toFixed(1)}GB)`,
      ),
    ),
  ];
  let batchesLogged = false;
  let sent = 0;
  const run = { wedged: false, status: 'GENERATING' };
  run.advance = (now) => {
    const out = pending.splice(0);
    if (run.wedged) return out;
    const elapsed = (now - startedAt) / 1000;
    if (!batchesLogged && elapsed >= s.batchAfterSeconds) {
      batchesLogged = true;
      if (s.failure === 'oom') {
        out.push(
          line(now, CONTROLLER, 'ERROR', `torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.50 GiB (batch size ${batchSize} for GPU group [0])`),
          line(now, CONTROLLER, 'ERROR', 'TimeoutError: PoC v2 request generate_artifacts timed out after 10000ms. Engine may be wedged.'),
        );
        run.wedged = true;
        return out;
      }
      groups.forEach((_, i) => out.push(line(now, CONTROLLER, 'INFO', `Using batch size: ${batchSize} for GPU group [${i}]`)));
    }
    if (!batchesLogged || !url) return out;
    const due = Math.floor((elapsed - s.batchAfterSeconds) / s.sendEverySeconds);
    for (; sent < due; sent++) {
      out.push(line(now, SENDER, 'INFO', `Sending generated batch to ${url.replace(/\/?$/, '/')}`));
      if (apiPaused()) out.push(line(now, SENDER, 'ERROR', `Failed to send generated batch to ${url}: connection timed out`));
    }
    return out;
  };
  return run;
}
