import { execFile } from 'node:child_process';
import { chmod, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mounting a file system needs root (as CI runs the tests); tests that need one skip with this reason otherwise. */
export const canMount = process.getuid?.() === 0;
export const NOT_ROOT = 'needs root to mount a small tmpfs (run the tests as root, as CI does)';

export interface SmallDisk {
  dir: string;
  unmount(): Promise<void>;
}

/** A tmpfs of `sizeKb` KiB mounted at `dir` (created), world-writable with the sticky bit like /tmp. */
export const mountSmallDisk = async (dir: string, sizeKb: number): Promise<SmallDisk> => {
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=1777`, 'nop-test-tmpfs', dir]);
  await chmod(dir, 0o1777);
  return { dir, unmount: async () => void (await run('umount', ['-l', dir])) };
};
