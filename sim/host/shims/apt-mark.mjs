#!/usr/bin/env node
// apt-mark hold | unhold | showhold | manual | auto
import { abort, command, exit, main, out } from './lib/io.mjs';
import { withState } from './lib/state.mjs';

export default command((argv) => {
  const [command, ...names] = argv.filter((a) => !a.startsWith('-'));
  const known = (state, n) => Boolean(state.catalog[n] || state.packages[n]);

  const COMMANDS = {
    hold: (state) =>
      names.map((n) => {
        if (state.holds.includes(n)) return `${n} was already set on hold.`;
        state.holds.push(n);
        return `${n} set on hold.`;
      }),
    unhold: (state) =>
      names.map((n) => {
        if (!state.holds.includes(n)) return `${n} was already not on hold.`;
        state.holds = state.holds.filter((h) => h !== n);
        return `Canceled hold on ${n}.`;
      }),
    showhold: (state) => [...state.holds].sort(),
    manual: () => names.map((n) => `${n} set to manually installed.`),
    auto: () => names.map((n) => `${n} set to automatically installed.`),
  };

  if (!COMMANDS[command]) exit(100, `E: Invalid operation ${command ?? ''}`);
  main(() => {
    const lines = withState((state) => {
      const unknown = names.filter((n) => !known(state, n));
      if (unknown.length) abort(100, unknown.map((n) => `E: Unable to locate package ${n}`).join('\n'));
      return COMMANDS[command](state);
    });
    if (lines.length) out(lines.join('\n'));
  });
});
