// The profile's filesystems.
export const mounts = (state) => state.profile.disks.flatMap((d) => d.partitions.filter((p) => p.mount).map((p) => ({ ...p, device: `/dev/${p.name}` })));

export const mountOf = (state, path) =>
  mounts(state)
    .filter((m) => path === m.mount || path.startsWith(m.mount === '/' ? '/' : `${m.mount}/`))
    .sort((a, b) => b.mount.length - a.mount.length)[0];
