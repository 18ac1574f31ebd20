import { defineFact } from '../fact.js';

export interface SystemFacts {
  hostname: string;
  os_family: string;
  distribution: string;
  distribution_version: string;
  distribution_release: string;
  architecture: string;
  processor_count: number;
  memtotal_mb: number;
  kernel: string;
  /** who gathered the facts (the become user): Ansible's ansible_user_id; `ansible_user` is the login, not a fact */
  user_id: string;
  mounts: { mount: string; size_total: number; size_available: number }[];
}

// each line is `key=value` or `mount=<mount> <total> <avail>`
const SCRIPT = `[ -r /etc/os-release ] && . /etc/os-release
echo "distribution=\${ID:-unknown}"
echo "distribution_version=\${VERSION_ID:-}"
echo "distribution_release=\${VERSION_CODENAME:-}"
echo "id_like=\${ID_LIKE:-}"
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname)"
echo "architecture=$(uname -m)"
echo "kernel=$(uname -r)"
echo "processor_count=$(nproc 2>/dev/null || echo 1)"
echo "memtotal_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)"
echo "user_id=$(id -un)"
df -PB1 2>/dev/null | awk 'NR>1 && $1 !~ /^(tmpfs|devtmpfs|overlay|none|udev)$/ {print "mount=" $6 " " $2 " " $4}'`;

const familyOf = (id: string, idLike: string): string => {
  const ids = `${id} ${idLike}`;
  if (/\b(debian|ubuntu)\b/.test(ids)) return 'Debian';
  if (/\b(rhel|fedora|centos)\b/.test(ids)) return 'RedHat';
  return id || 'unknown';
};

export const parseSystemFacts = (stdout: string): SystemFacts => {
  const kv = new Map<string, string>();
  const mounts: SystemFacts['mounts'] = [];
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key !== 'mount') {
      kv.set(key, value);
      continue;
    }
    const [mount, total, avail] = value.split(' ');
    mounts.push({ mount, size_total: Number(total), size_available: Number(avail) });
  }
  const distribution = kv.get('distribution') ?? 'unknown';
  return {
    hostname: kv.get('hostname') ?? '',
    os_family: familyOf(distribution, kv.get('id_like') ?? ''),
    distribution,
    distribution_version: kv.get('distribution_version') ?? '',
    distribution_release: kv.get('distribution_release') ?? '',
    architecture: kv.get('architecture') ?? '',
    processor_count: Number(kv.get('processor_count') ?? 1),
    memtotal_mb: Math.floor(Number(kv.get('memtotal_kb') ?? 0) / 1024),
    kernel: kv.get('kernel') ?? '',
    user_id: kv.get('user_id') ?? '',
    mounts,
  };
};

/** What Ansible's fact gathering reports about the OS, the machine and its file systems. */
export const systemFacts = defineFact<void, SystemFacts>({
  name: 'system',
  command: () => SCRIPT,
  parse: ({ stdout }, args) => args.map(() => parseSystemFacts(stdout)),
  key: () => 'system',
});
