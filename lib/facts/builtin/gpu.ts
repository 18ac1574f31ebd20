import { gatherScript, parseGpuFacts, type GpuFactPaths, type GpuFacts } from '../../gpu/facts.js';
import { defineFact } from '../fact.js';
import { installedPackages } from './packages.js';

/** The GPUs, the driver stack, holds, Secure Boot and the disks the deployment uses, in one script. */
export const gpuState = defineFact<GpuFactPaths, GpuFacts>({
  name: 'gpu',
  command: ([paths]) => gatherScript(paths),
  // the script answers for one set of paths: a batch asks for one (a host has one deploy dir and HF_HOME)
  parse: ({ stdout }, args) => args.map((paths, i) => (i === 0 ? parseGpuFacts(stdout, paths) : new Error('one set of GPU fact paths per batch'))),
  // a driver or Fabric Manager installed by any task changes the stack
  dependsOn: () => [installedPackages],
});
