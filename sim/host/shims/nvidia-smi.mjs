#!/usr/bin/env node
// nvidia-smi: --query-gpu, -L, topo -m, nvlink -s and the default screen, or the real failure texts.
import { command, exit, notInstalled, out } from './lib/io.mjs';
import { driverStatus } from './lib/host.mjs';
import { listGpus, nvlinkStatus, queryGpu, smiFailure, summary, topoMatrix } from './lib/nvsmi.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const args = argv;
  const state = readState();
  if (driverStatus(state) === 'missing') notInstalled('nvidia-smi');
  const failure = smiFailure(state);
  if (failure) exit(failure.code, failure.text.trimEnd());
  if (state.profile.gpus.length === 0) exit(6, 'No devices were found');

  const fieldValue = (name) => {
    const eq = args.find((a) => a.startsWith(`${name}=`));
    if (eq) return eq.slice(name.length + 1);
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };

  const ids = (() => {
    const id = fieldValue('-i') ?? fieldValue('--id');
    return id === undefined ? undefined : id.split(',').map(Number);
  })();

  if (args[0] === 'topo') {
    if (!args.includes('-m') && !args.includes('--matrix')) exit(2, "Invalid combination of input arguments. Please run 'nvidia-smi topo -h' for help.");
    out(topoMatrix(state));
  } else if (args[0] === 'nvlink') {
    if (!args.includes('-s') && !args.includes('--status')) exit(2, "Invalid combination of input arguments. Please run 'nvidia-smi nvlink -h' for help.");
    out(nvlinkStatus(state));
  } else if (args.includes('-L') || args.includes('--list-gpus')) {
    out(listGpus(state));
  } else {
    const fields = fieldValue('--query-gpu');
    if (fields !== undefined) {
      const format = fieldValue('--format');
      if (!format) exit(2, '--format has to be specified when using --query-gpu');
      const res = queryGpu(state, fields, format, ids);
      if (res.code !== 0) exit(res.code, res.text.trimEnd());
      out(res.text);
    } else if (args.length === 0) {
      out(summary(state));
    } else {
      exit(2, `Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.`);
    }
  }
});
