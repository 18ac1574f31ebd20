import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../runner/paths.js';
import { OptionError } from './extra-vars.js';

// the demo is the simulator's program (npm start), run as its own process: nop's code never loads the simulator
const DEMO = join(packageRoot, 'dist', 'sim', 'demo.js');

/** `nop demo [--keep | --stop]`: the simulated server's demo; returns its exit code. */
export const demoCommand = async (opts: { keep?: boolean; stop?: boolean }): Promise<number> => {
  if (opts.keep && opts.stop) throw new OptionError('nop demo: --keep and --stop exclude each other');
  const args = [...(opts.keep ? ['--keep'] : []), ...(opts.stop ? ['--stop'] : [])];
  const child = spawn(process.execPath, [DEMO, ...args], { stdio: 'inherit' });
  // Ctrl-C reaches the demo too (one process group): it decides when to stop, nop waits for its exit code
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
};
