import { defineFact } from '../fact.js';

/**
 * What Ansible's setup module reports, with Ansible's names, values and case (`distribution: Debian`,
 * `distribution_version: '12.11'`), read by one POSIX sh script (no Python on the host): the OS, the kernel, the
 * host's names, CPUs and memory, the user the facts were gathered as, the environment, the default IPv4 route's
 * interface, the file systems, the date, the package and service managers.
 */
export type AnsibleFacts = Record<string, unknown>;

// each line `key=value`; `mount=DEVICE MOUNT FSTYPE OPTIONS TOTAL AVAILABLE`; after `env:`, the environment NUL-separated
const SCRIPT = `[ -r /etc/os-release ] && . /etc/os-release
echo "os_id=\${ID:-}"
echo "os_id_like=\${ID_LIKE:-}"
echo "os_version_id=\${VERSION_ID:-}"
echo "os_codename=\${VERSION_CODENAME:-}"
echo "os_name=\${NAME:-}"
[ -r /etc/debian_version ] && echo "debian_version=$(cat /etc/debian_version)"
echo "system=$(uname -s)"
echo "kernel=$(uname -r)"
echo "kernel_version=$(uname -v)"
echo "machine=$(uname -m)"
echo "userspace_bits=$(getconf LONG_BIT 2>/dev/null)"
node=$(uname -n)
echo "nodename=$node"
addr=$(getent ahosts "$node" 2>/dev/null | awk 'NR==1 {print $1}')
[ -n "$addr" ] && echo "byaddr=$(getent hosts "$addr" 2>/dev/null | head -1)"
echo "vcpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null)"
echo "sockets=$(grep '^physical id' /proc/cpuinfo 2>/dev/null | sort -u | wc -l)"
echo "cores=$(awk -F': *' '/^cpu cores/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)"
echo "siblings=$(awk -F': *' '/^siblings/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)"
echo "nproc=$(nproc 2>/dev/null)"
awk '/^(MemTotal|MemFree|SwapTotal|SwapFree):/ {sub(":", "", $1); print $1 "=" $2}' /proc/meminfo 2>/dev/null
echo "user_id=$(id -un)"
echo "uid=$(id -ru) $(id -rg) $(id -u) $(id -g)"
echo "passwd=$(getent passwd "$(id -u)")"
set -- $(ip -4 route get 8.8.8.8 2>/dev/null | head -1)
while [ $# -gt 0 ]; do case $1 in via) echo "gateway=$2"; shift;; dev) echo "interface=$2"; dev=$2; shift;; src) echo "address=$2"; shift;; esac; shift; done
if [ -n "\${dev:-}" ]; then
  echo "ipv4=$(ip -o -4 addr show dev "$dev" 2>/dev/null | head -1)"
  echo "link=$(ip -o link show dev "$dev" 2>/dev/null | sed 's/.*link\\///')"
  echo "mtu=$(cat /sys/class/net/$dev/mtu 2>/dev/null)"
fi
ip -o -4 addr show 2>/dev/null | awk '$2 != "lo" {split($4, a, "/"); print "ipv4_address=" a[1]}'
df -PB1 -T 2>/dev/null | awk 'NR>1 && $2 !~ /^(tmpfs|devtmpfs|overlay|proc|sysfs|devpts|cgroup2?)$/ {print "mount=" $1 " " $7 " " $2 " " $3 " " $5}'
if [ -d /run/systemd/system ]; then echo "systemd=yes"; fi
echo "init=$(cat /proc/1/comm 2>/dev/null)"
for m in apt-get dnf yum zypper apk pacman; do command -v $m >/dev/null 2>&1 && { echo "pkg=$m"; break; }; done
echo "date=$(date '+%Y|%m|%d|%H|%M|%S|%s|%Z|%z|%A|%w|%W')|$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
echo "env:"
env -0`;

// Ansible's distribution names for os-release IDs (distribution.py: OS_RELEASE_ALIAS and the file parsers)
const DISTRIBUTIONS: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  linuxmint: 'Linux Mint',
  pop: 'Pop!_OS',
  kali: 'Kali',
  raspbian: 'Debian',
  centos: 'CentOS',
  rhel: 'RedHat',
  fedora: 'Fedora',
  rocky: 'Rocky',
  almalinux: 'AlmaLinux',
  ol: 'OracleLinux',
  amzn: 'Amazon',
  sles: 'SLES',
  opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE Leap',
  'opensuse-tumbleweed': 'openSUSE Tumbleweed',
  arch: 'Archlinux',
  alpine: 'Alpine',
  gentoo: 'Gentoo',
};

// Ansible's OS_FAMILY_MAP, for the distributions above
const FAMILIES: Record<string, string> = {
  Debian: 'Debian',
  Ubuntu: 'Debian',
  'Linux Mint': 'Debian',
  'Pop!_OS': 'Debian',
  Kali: 'Debian',
  CentOS: 'RedHat',
  RedHat: 'RedHat',
  Fedora: 'RedHat',
  Rocky: 'RedHat',
  AlmaLinux: 'RedHat',
  OracleLinux: 'RedHat',
  Amazon: 'RedHat',
  SLES: 'Suse',
  openSUSE: 'Suse',
  'openSUSE Leap': 'Suse',
  'openSUSE Tumbleweed': 'Suse',
  Archlinux: 'Archlinux',
  Alpine: 'Alpine',
  Gentoo: 'Gentoo',
};

const PKG_MGRS: Record<string, string> = { 'apt-get': 'apt', dnf: 'dnf', yum: 'yum', zypper: 'zypper', apk: 'apk', pacman: 'pacman' };

const mb = (kb: string | undefined): number => Math.floor(Number(kb ?? 0) / 1024);

const ipv4 = (text: string): number => text.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const dotted = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Ansible's default_ipv4: the interface of the route to 8.8.8.8 and its primary address (empty without a route). */
export const defaultIpv4 = (kv: ReadonlyMap<string, string>): Record<string, unknown> => {
  const iface = kv.get('interface');
  if (!iface) return {};
  const out: Record<string, unknown> = { address: kv.get('address'), alias: iface, gateway: kv.get('gateway'), interface: iface };
  // `4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\ ...`
  const m = /\binet (\d+\.\d+\.\d+\.\d+)\/(\d+)(?: brd (\S+))?.*?\s(\S+)\\/.exec(kv.get('ipv4') ?? '');
  if (m) {
    const prefix = Number(m[2]);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    out.address ??= m[1];
    out.alias = m[4];
    out.broadcast = m[3] ?? '';
    out.netmask = dotted(mask);
    out.network = dotted((ipv4(m[1]) & mask) >>> 0);
    out.prefix = String(prefix);
  }
  // `ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff`, `loopback 00:00:…`
  const [type, mac] = (kv.get('link') ?? '').split(' ');
  if (type) out.type = type;
  if (mac) out.macaddress = mac;
  if (kv.get('mtu')) out.mtu = Number(kv.get('mtu'));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
};

// Python's socket.getfqdn(): the first dotted name of the host's address's reverse lookup, else that lookup's name
const fqdnOf = (nodename: string, byaddr: string | undefined): string => {
  const names = (byaddr ?? '').trim().split(/\s+/).slice(1);
  if (names.length === 0) return nodename;
  return names.find((n) => n.includes('.')) ?? names[0];
};

const distributionOf = (kv: ReadonlyMap<string, string>) => {
  const id = kv.get('os_id') ?? '';
  const distribution = DISTRIBUTIONS[id] ?? (kv.get('os_name') || id).split(' ')[0] ?? 'NA';
  // Debian's point release is in /etc/debian_version (12.11), its os-release only says 12
  const debianVersion = kv.get('debian_version');
  const version = distribution === 'Debian' && debianVersion && /^\d/.test(debianVersion) ? debianVersion : (kv.get('os_version_id') ?? '');
  const minor = version.split('.')[1];
  return {
    distribution,
    distribution_version: version || 'NA',
    distribution_major_version: version.split('.')[0] || 'NA',
    ...(minor ? { distribution_minor_version: minor } : {}),
    // where Ansible found it: os-release, parsed by the family's parser (Debian's for Ubuntu too)
    distribution_file_parsed: Boolean(kv.get('os_id')),
    distribution_file_path: '/etc/os-release',
    distribution_file_variety: FAMILIES[distribution] === 'Debian' ? 'Debian' : distribution,
    distribution_release: kv.get('os_codename') || 'NA',
    os_family: FAMILIES[distribution] ?? distribution,
  };
};

// Ansible's service_mgr: what runs as PID 1, unless it is a generic init or a shell; then whether systemd manages the host
const serviceMgrOf = (kv: ReadonlyMap<string, string>): string => {
  const init = kv.get('init') ?? '';
  if (init && init !== 'init' && !init.endsWith('sh')) return init === 'systemd' || kv.has('systemd') ? 'systemd' : init;
  return kv.has('systemd') ? 'systemd' : 'sysvinit';
};

const dateTimeOf = (text: string): Record<string, string> => {
  const [year, month, day, hour, minute, second, epoch, tz, tzOffset, weekday, weekdayNumber, weeknumber, iso8601] = text.split('|');
  return {
    date: `${year}-${month}-${day}`,
    day,
    epoch,
    epoch_int: epoch,
    hour,
    iso8601,
    minute,
    month,
    second,
    time: `${hour}:${minute}:${second}`,
    tz,
    tz_offset: tzOffset,
    weekday,
    weekday_number: weekdayNumber,
    weeknumber,
    year,
  };
};

/** The facts, unprefixed (as `ansible_facts['distribution']` reads them), from the script's output. */
export const parseAnsibleFacts = (stdout: string): AnsibleFacts => {
  const at = stdout.indexOf('env:\n');
  const lines = (at < 0 ? stdout : stdout.slice(0, at)).split('\n');
  const env = at < 0 ? '' : stdout.slice(at + 'env:\n'.length);
  const kv = new Map<string, string>();
  const mounts: Record<string, unknown>[] = [];
  const addresses: string[] = [];
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1)];
    if (key === 'mount') {
      const [device, mount, fstype, total, available] = value.split(' ');
      mounts.push({ device, fstype, mount, size_available: Number(available), size_total: Number(total) });
    } else if (key === 'ipv4_address') addresses.push(value);
    else kv.set(key, value);
  }
  const nodename = kv.get('nodename') ?? '';
  const fqdn = fqdnOf(nodename, kv.get('byaddr'));
  const [ruid, rgid, euid, egid] = (kv.get('uid') ?? '').split(' ').map(Number);
  const [, , , , gecos = '', dir = '', shell = ''] = (kv.get('passwd') ?? '').split(':');
  const vcpus = Number(kv.get('vcpus') || 1);
  const cores = Number(kv.get('cores') || vcpus);
  const siblings = Number(kv.get('siblings') || cores);
  const machine = kv.get('machine') ?? '';
  return {
    ...distributionOf(kv),
    system: kv.get('system') ?? '',
    kernel: kv.get('kernel') ?? '',
    kernel_version: kv.get('kernel_version') ?? '',
    machine,
    userspace_bits: kv.get('userspace_bits') ?? '',
    // Ansible names 32-bit x86 i386 whatever uname says (i686)
    architecture: /^i[3-6]86$/.test(machine) ? 'i386' : machine,
    nodename,
    hostname: nodename.split('.')[0],
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
    processor_vcpus: vcpus,
    processor_count: Number(kv.get('sockets')) || 1,
    processor_cores: cores,
    processor_threads_per_core: Math.max(1, Math.floor(siblings / cores)),
    processor_nproc: Number(kv.get('nproc') || vcpus),
    memtotal_mb: mb(kv.get('MemTotal')),
    memfree_mb: mb(kv.get('MemFree')),
    swaptotal_mb: mb(kv.get('SwapTotal')),
    swapfree_mb: mb(kv.get('SwapFree')),
    user_id: kv.get('user_id') ?? '',
    user_uid: euid,
    user_gid: egid,
    user_gecos: gecos,
    user_dir: dir,
    user_shell: shell,
    real_user_id: ruid,
    real_group_id: rgid,
    effective_user_id: euid,
    effective_group_id: egid,
    env: Object.fromEntries(
      env
        .split('\0')
        .filter((e) => e.includes('='))
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    ),
    default_ipv4: defaultIpv4(kv),
    all_ipv4_addresses: addresses,
    mounts,
    pkg_mgr: PKG_MGRS[kv.get('pkg') ?? ''] ?? 'unknown',
    service_mgr: serviceMgrOf(kv),
    date_time: dateTimeOf(kv.get('date') ?? ''),
  };
};

export const ansibleFacts = defineFact<void, AnsibleFacts>({
  name: 'ansible_facts',
  command: () => SCRIPT,
  parse: ({ stdout }, args) => args.map(() => parseAnsibleFacts(stdout)),
  key: () => 'ansible_facts',
});
