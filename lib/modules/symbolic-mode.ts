/**
 * chmod's symbolic modes (`u=rw,g=r,o=`, `u+x`, `a-w`, `g=u`, `+X`), as Ansible's `mode:` takes them:
 * applied to the path's current mode to get the number to compare and to set.
 */

const CLAUSE = /^([ugoa]*)((?:[-+=](?:[rwxXst]*|[ugo]))+)$/;
const OPERATION = /([-+=])([ugo]|[rwxXst]*)/g;

// the umask who-less clauses (`+x`, `=r`) honour; Ansible reads the host's, nop assumes the usual one
const ASSUMED_UMASK = 0o022;

const CLASS_BITS = { u: 0o4700, g: 0o2070, o: 0o1007 } as const;
const SHIFT = { u: 6, g: 3, o: 0 } as const;
type Who = keyof typeof CLASS_BITS;

/** Whether a string is a symbolic mode chmod and Ansible accept. */
export const isSymbolicMode = (mode: string): boolean => mode.split(',').every((clause) => CLAUSE.test(clause));

// the bits `perms` stands for in one class (u, g or o), given the mode so far
const bitsFor = (who: Who, perms: string, mode: number, isDirectory: boolean): number => {
  const shift = SHIFT[who];
  if (perms === 'u' || perms === 'g' || perms === 'o') return ((mode >> SHIFT[perms]) & 0o7) << shift;
  let bits = 0;
  for (const p of perms) {
    if (p === 'r') bits |= 0o4 << shift;
    else if (p === 'w') bits |= 0o2 << shift;
    else if (p === 'x') bits |= 0o1 << shift;
    // X: execute only for directories and for files some class may already execute
    else if (p === 'X' && (isDirectory || (mode & 0o111) !== 0)) bits |= 0o1 << shift;
    else if (p === 's' && who !== 'o') bits |= who === 'u' ? 0o4000 : 0o2000;
    else if (p === 't' && who === 'o') bits |= 0o1000;
  }
  return bits;
};

const applyOperation = (mode: number, who: Who, op: string, bits: number): number => {
  if (op === '+') return mode | bits;
  if (op === '-') return mode & ~bits;
  return (mode & ~CLASS_BITS[who]) | bits;
};

/** The numeric mode a symbolic mode gives a path whose mode is `current`. Throws on a malformed mode. */
export const applySymbolicMode = (symbolic: string, current: number, isDirectory: boolean): number => {
  let mode = current & 0o7777;
  for (const clause of symbolic.split(',')) {
    const m = CLAUSE.exec(clause);
    if (!m) throw new Error(`bad symbolic permission for mode: ${clause}`);
    const whoLess = m[1] === '';
    const who = (whoLess || m[1].includes('a') ? 'ugo' : m[1]) as string;
    for (const [, op, perms] of m[2].matchAll(OPERATION)) {
      for (const w of who as Iterable<Who>) {
        let bits = bitsFor(w, perms, mode, isDirectory);
        if (whoLess) bits &= ~ASSUMED_UMASK;
        mode = applyOperation(mode, w, op, bits);
      }
    }
  }
  return mode;
};
