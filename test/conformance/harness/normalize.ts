/**
 * What must differ between two runs of the same case and is normalized away before comparing (and before
 * recording): the run's scratch directory, the case's own directory (the recorder and the test may see the
 * repository at different paths), Ansible's remote temp directories, and keys that never compare (timings,
 * the invocation echo, diffs, which are shown differently by design, and Ansible's internal `_ansible_*` keys).
 */
export const NORMALIZED = [
  "the run's scratch directory (extra var out_dir) is written <out>",
  "the case's directory (playbook_dir) is written <case>",
  "Ansible's remote temp files (~/.ansible/tmp/ansible-tmp-*) are written <ansible-tmp>",
  'dropped from results: invocation, diff, start, end, delta, warnings, deprecations, _ansible_* (timings, echoes and how diffs are shown)',
];

const DROPPED = new Set(['invocation', 'diff', 'start', 'end', 'delta', 'warnings', 'deprecations']);

export interface Paths {
  out: string;
  caseDir: string;
}

const normalizeString = (s: string, p: Paths): string =>
  s
    .replaceAll(p.out, '<out>')
    .replaceAll(p.caseDir, '<case>')
    .replace(/\/root\/\.ansible\/tmp\/ansible-tmp-[^/\s"']+(\/[^\s"']*)?/g, '<ansible-tmp>');

export const normalizeValue = (value: unknown, p: Paths): unknown => {
  if (typeof value === 'string') return normalizeString(value, p);
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, p));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (DROPPED.has(k) || k.startsWith('_ansible')) continue;
      out[normalizeString(k, p)] = normalizeValue(v, p);
    }
    return out;
  }
  return value;
};
