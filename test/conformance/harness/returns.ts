/**
 * The return values compared per module: what playbooks read from registered results. Paths are dotted
 * (`stat.mode`); `files[].path` compares the list of each element's `path`. Keys absent from Ansible's result
 * are not compared; the task's status (ok, changed, failed, skipped) always is.
 */
export const COMPARED_RETURNS: Record<string, readonly string[]> = {
  stat: [
    'stat.exists',
    'stat.isdir',
    'stat.isreg',
    'stat.islnk',
    'stat.mode',
    'stat.pw_name',
    'stat.gr_name',
    'stat.size',
    'stat.checksum',
    'stat.lnk_target',
    'stat.mimetype',
    'stat.charset',
    'stat.executable',
  ],
  copy: ['dest', 'checksum', 'md5sum', 'mode', 'owner', 'group', 'size', 'state', 'msg'],
  template: ['dest', 'checksum', 'md5sum', 'mode', 'owner', 'group', 'size', 'state', 'msg'],
  file: ['path', 'dest', 'state', 'mode', 'owner', 'group', 'src', 'msg'],
  lineinfile: ['msg', 'path'],
  blockinfile: ['msg'],
  replace: ['msg', 'rc'],
  slurp: ['content', 'encoding', 'source', 'msg'],
  find: ['files[].path', 'matched', 'examined', 'msg'],
  fetch: ['dest', 'checksum', 'remote_checksum', 'md5sum', 'file', 'msg'],
  user: ['name', 'uid', 'group', 'groups', 'home', 'shell', 'comment', 'state', 'system', 'create_home', 'append', 'move_home', 'force', 'remove'],
  group: ['name', 'gid', 'state', 'system'],
  authorized_key: ['user', 'key', 'key_options', 'keyfile', 'exclusive', 'manage_dir', 'state', 'path'],
  systemd: ['name', 'state', 'enabled', 'status.ActiveState', 'status.LoadState', 'status.UnitFileState'],
  service: ['name', 'state', 'enabled'],
  sysctl: ['msg'],
  mount: ['name', 'src', 'fstype', 'opts', 'dump', 'passno', 'fstab', 'boot'],
  hostname: ['name', 'ansible_facts.ansible_hostname', 'ansible_facts.ansible_nodename', 'ansible_facts.ansible_fqdn', 'ansible_facts.ansible_domain'],
  timezone: ['msg'],
  apt: ['cache_updated', 'msg'],
  apt_key: ['id', 'fp', 'short_id', 'key_id'],
  apt_repository: ['repo', 'state', 'sources_added', 'sources_removed'],
  unarchive: ['dest', 'handler', 'state', 'mode', 'owner', 'group', 'msg'],
  git: ['before', 'after', 'remote_url_changed', 'msg'],
  command: ['rc', 'stdout', 'stderr', 'msg', 'cmd'],
  shell: ['rc', 'stdout', 'stderr', 'msg', 'cmd'],
  debug: ['msg'],
  assert: ['msg', 'assertion', 'evaluated_to'],
  fail: ['msg'],
  set_fact: ['ansible_facts'],
  pause: ['msg', 'echo', 'user_input'],
  wait_for_connection: ['msg'],
  package: ['msg'],
  cron: ['jobs', 'envs'],
  get_url: ['dest', 'checksum_dest', 'checksum_src', 'status_code', 'msg'],
  uri: ['status', 'msg', 'json', 'content'],
  wait_for: ['state', 'path', 'port', 'msg'],
  systemd_service: ['name', 'state', 'enabled', 'status.ActiveState', 'status.LoadState', 'status.UnitFileState'],
  ping: ['ping', 'msg'],
  getent: ['ansible_facts', 'msg'],
  // the name is random; what it is and its mode are not
  tempfile: ['state', 'mode', 'owner', 'group', 'msg'],
  debconf: ['current', 'previous', 'msg'],
  raw: ['rc', 'stdout', 'stderr', 'stdout_lines', 'msg'],
};

/** The value at a dotted path; `list[].key` maps the list. undefined when absent. */
export const valueAt = (value: unknown, path: string): unknown => {
  const [head, ...rest] = path.split('.');
  if (value === null || typeof value !== 'object') return undefined;
  if (head.endsWith('[]')) {
    const list = (value as Record<string, unknown>)[head.slice(0, -2)];
    if (!Array.isArray(list)) return undefined;
    return list.map((item) => (rest.length ? valueAt(item, rest.join('.')) : item));
  }
  const next = (value as Record<string, unknown>)[head];
  return rest.length ? valueAt(next, rest.join('.')) : next;
};
