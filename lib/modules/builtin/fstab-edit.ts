/**
 * Ansible's mount module's fstab edits (Linux): a mount point's line set or removed, other lines kept as they
 * are, fields escaped as fstab(5) wants (space \040, & \046, backslash \134).
 */
export interface FstabEntry {
  name: string;
  src: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

export const escapeFstab = (v: string): string => v.replaceAll('\\', '\\134').replaceAll(' ', '\\040').replaceAll('&', '\\046');

const LABELS = ['src', 'name', 'fstype', 'opts', 'dump', 'passno'] as const;

const linesOf = (text: string): string[] => (text.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => (l.endsWith('\n') ? l : `${l}\n`));

const isKept = (line: string) => !line.trim() || line.trim().startsWith('#');

/** Set the mount point's line (changing only what differs, or appending it); `changed` says whether it did. */
export const setFstab = (text: string, want: FstabEntry): { text: string; changed: boolean } => {
  const e = Object.fromEntries(Object.entries(want).map(([k, v]) => [k, escapeFstab(v)])) as unknown as FstabEntry;
  let exists = false;
  let changed = false;
  const out = linesOf(text).map((line) => {
    if (isKept(line)) return line;
    const fields = line.split(/\s+/).filter(Boolean);
    if (fields.length < 4 || fields.length > 6) return line;
    const ld: Record<string, string> = { dump: '0', passno: '0' };
    fields.forEach((f, i) => (ld[LABELS[i]] = f));
    if (ld.name !== e.name || (ld.name === 'none' && ld.fstype === 'swap' && ld.src !== want.src)) return line;
    exists = true;
    let lineChanged = false;
    for (const k of ['src', 'fstype', 'opts', 'dump', 'passno'] as const) {
      if (ld[k] !== e[k]) {
        ld[k] = e[k];
        lineChanged = true;
      }
    }
    changed ||= lineChanged;
    return lineChanged ? `${ld.src} ${ld.name} ${ld.fstype} ${ld.opts} ${ld.dump} ${ld.passno}\n` : line;
  });
  if (!exists) {
    out.push(`${e.src} ${e.name} ${e.fstype} ${e.opts} ${e.dump} ${e.passno}\n`);
    changed = true;
  }
  return { text: out.join(''), changed };
};

/** Remove the mount point's six-field lines. */
export const unsetFstab = (text: string, name: string): { text: string; changed: boolean } => {
  const escaped = escapeFstab(name);
  let changed = false;
  const out = linesOf(text).filter((line) => {
    if (isKept(line)) return true;
    const fields = line.split(/\s+/).filter(Boolean);
    if (fields.length !== 6 || fields[1] !== escaped) return true;
    changed = true;
    return false;
  });
  return { text: out.join(''), changed };
};
