import { defineFact } from '../fact.js';

/** Installed Debian packages and their versions, from one dpkg-query call shared by every package task. */
export const installedPackages = defineFact<void, Map<string, string>>({
  name: 'dpkg_packages',
  command: () => `dpkg-query -W -f='\${Package} \${Version} \${db:Status-Abbrev}\\n'`,
  parse: ({ stdout, rc }, args) => {
    if (rc !== 0) return args.map(() => new Error(`dpkg-query failed with rc=${rc}`));
    const installed = new Map<string, string>();
    for (const line of stdout.split('\n')) {
      const [name, version, status] = line.split(' ');
      // the second letter of the status abbreviation is the current state: i = installed
      if (name && status?.[1] === 'i') installed.set(name, version);
    }
    return args.map(() => installed);
  },
  key: () => 'dpkg',
});
