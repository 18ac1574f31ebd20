import { defineFact } from '../fact.js';
import { installedPackages } from './packages.js';

/** Packages apt keeps at their version (`apt-mark showhold`). */
export const heldPackages = defineFact<void, Set<string>>({
  name: 'apt_holds',
  command: () => 'apt-mark showhold',
  parse: ({ stdout, rc }, args) => {
    if (rc !== 0) return args.map(() => new Error(`apt-mark showhold failed with rc=${rc}`));
    const held = new Set(
      stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
    return args.map(() => held);
  },
  key: () => 'apt_holds',
  // removing a package drops its hold
  dependsOn: () => [installedPackages],
});
