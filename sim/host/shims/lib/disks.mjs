// The profile's filesystems, seen from inside the simulated root.
import { join } from 'node:path';

export const mounts = (state) => state.profile.disks.flatMap((d) => d.partitions.filter((p) => p.mount).map((p) => ({ ...p, device: `/dev/${p.name}` })));

/** Path as the host sees it: `<root>/mnt/shared` and `/mnt/shared` are both `/mnt/shared`. */
export const hostPath = (root, path) => {
  if (path === root) return '/';
  if (path.startsWith(`${root}/`)) return path.slice(root.length);
  return path;
};

export const realPath = (root, hostP) => join(root, hostP);

export const mountOf = (state, hostP) =>
  mounts(state)
    .filter((m) => hostP === m.mount || hostP.startsWith(m.mount === '/' ? '/' : `${m.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];

/** Where df/lsblk show a mount: inside the simulated root, so it matches the paths roles use. */
export const shownMount = (root, mount) => (mount === '/' ? root : `${root}${mount}`);
