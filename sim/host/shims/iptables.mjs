#!/usr/bin/env node
// iptables [-w] [-t filter] -S|-C|-I|-A|-D|-N|-F|-X|-P ...: a stateful filter table, rules printed as iptables -S does.
import { abort, command, exit, main, out } from './lib/io.mjs';
import { withState } from './lib/state.mjs';

export default command((argv) => {
  const LONG = {
    '--source': '-s',
    '--destination': '-d',
    '--in-interface': '-i',
    '--out-interface': '-o',
    '--protocol': '-p',
    '--jump': '-j',
    '--match': '-m',
    '--destination-port': '--dport',
    '--source-port': '--sport',
  };
  const ACTIONS = [
    '-S',
    '-C',
    '-I',
    '-A',
    '-D',
    '-N',
    '-F',
    '-X',
    '-P',
    '-L',
    '--list-rules',
    '--check',
    '--insert',
    '--append',
    '--delete',
    '--new-chain',
    '--flush',
    '--delete-chain',
    '--policy',
    '--list',
  ];
  const ACTION_ALIAS = {
    '--list-rules': '-S',
    '--check': '-C',
    '--insert': '-I',
    '--append': '-A',
    '--delete': '-D',
    '--new-chain': '-N',
    '--flush': '-F',
    '--delete-chain': '-X',
    '--policy': '-P',
    '--list': '-L',
  };
  const NO_CHAIN = 'iptables: No chain/target/match by that name.';
  const BAD_RULE = 'iptables: Bad rule (does a matching rule exist in that chain?).';

  let table = 'filter';
  let action;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-w' || a === '--wait') {
      if (/^\d+$/.test(argv[i + 1] ?? '')) i++;
    } else if (a === '-t' || a === '--table') table = argv[++i];
    else if (!action && ACTIONS.includes(a)) action = ACTION_ALIAS[a] ?? a;
    else rest.push(LONG[a] ?? a);
  }
  if (!action) exit(2, "iptables v1.8.7 (nf_tables): no command specified\nTry `iptables -h' or 'iptables --help' for more information.");
  if (table !== 'filter') exit(3, `iptables v1.8.7 (nf_tables): table '${table}' is not simulated`);

  /** Canonical form, as `iptables -S` prints a rule: addresses get a prefix length, ports their implicit match. */
  const normalize = (tokens) => {
    const base = [];
    const matches = [];
    const target = [];
    let neg = false;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (t === '!') {
        neg = true;
        continue;
      }
      const pre = neg ? ['!'] : [];
      neg = false;
      if (['-s', '-d'].includes(t)) base.push([...pre, t, tokens[i + 1].includes('/') ? tokens[++i] : `${tokens[++i]}/32`]);
      else if (['-i', '-o', '-p'].includes(t)) base.push([...pre, t, tokens[++i]]);
      else if (t === '-m') {
        const group = ['-m', tokens[++i]];
        while (i + 1 < tokens.length && !['-m', '-j', '-s', '-d', '-i', '-o', '-p'].includes(tokens[i + 1])) group.push(tokens[++i]);
        matches.push(group);
      } else if (t === '-j') {
        target.push('-j', ...tokens.slice(i + 1));
        break;
      } else if (['--dport', '--sport'].includes(t)) {
        const proto = base.find((b) => b.includes('-p'))?.at(-1) ?? 'tcp';
        const implicit = matches.find((m) => m[1] === proto) ?? (matches.push(['-m', proto]), matches.at(-1));
        implicit.push(...pre, t, tokens[++i]);
      } else {
        abort(2, `iptables v1.8.7 (nf_tables): unknown option "${t}"`);
      }
    }
    const order = ['-s', '-d', '-i', '-o', '-p'];
    base.sort((a, b) => order.indexOf(a.at(-2)) - order.indexOf(b.at(-2)));
    return [...base.flat(), ...matches.flat(), ...target].map((t) => (/\s/.test(t) ? `"${t}"` : t)).join(' ');
  };

  const chainOf = (state, name) => state.iptables[name] ?? abort(1, NO_CHAIN);

  // policies first, then user chains, then every rule: the order iptables -S prints
  const rulesOf = (state, names) => [
    ...names.map((name) => (state.iptables[name].policy ? `-P ${name} ${state.iptables[name].policy}` : `-N ${name}`)),
    ...names.flatMap((name) => state.iptables[name].rules.map((r) => `-A ${name} ${r}`)),
  ];

  const builtinsFirst = (state) => {
    const all = Object.keys(state.iptables);
    return [...all.filter((c) => state.iptables[c].policy), ...all.filter((c) => !state.iptables[c].policy)];
  };

  const run = (state) => {
    const [chain, ...ruleArgs] = rest;
    switch (action) {
      case '-S':
        if (chain) chainOf(state, chain);
        return rulesOf(state, chain ? [chain] : builtinsFirst(state)).join('\n');
      case '-L':
        return (chain ? [chain] : builtinsFirst(state))
          .map(
            (c) => `Chain ${c} (${state.iptables[c]?.policy ? `policy ${state.iptables[c].policy}` : '0 references'})\n${chainOf(state, c).rules.join('\n')}`,
          )
          .join('\n\n');
      case '-C':
        if (!chainOf(state, chain).rules.includes(normalize(ruleArgs))) abort(1, BAD_RULE);
        return '';
      case '-A':
        chainOf(state, chain).rules.push(normalize(ruleArgs));
        return '';
      case '-I': {
        const c = chainOf(state, chain);
        const at = /^\d+$/.test(ruleArgs[0] ?? '') ? Number(ruleArgs.shift()) - 1 : 0;
        c.rules.splice(at, 0, normalize(ruleArgs));
        return '';
      }
      case '-D': {
        const c = chainOf(state, chain);
        const idx = /^\d+$/.test(ruleArgs[0] ?? '') && ruleArgs.length === 1 ? Number(ruleArgs[0]) - 1 : c.rules.indexOf(normalize(ruleArgs));
        if (idx < 0 || idx >= c.rules.length) abort(1, ruleArgs.length === 1 ? 'iptables: Index of deletion too big.' : BAD_RULE);
        c.rules.splice(idx, 1);
        return '';
      }
      case '-N':
        if (state.iptables[chain]) abort(1, 'iptables: Chain already exists.');
        state.iptables[chain] = { rules: [] };
        return '';
      case '-F':
        (chain ? [chain] : Object.keys(state.iptables)).forEach((c) => (chainOf(state, c).rules = []));
        return '';
      case '-X':
        if (chainOf(state, chain).policy) abort(1, "iptables: Invalid argument. Run `dmesg' for more information.");
        delete state.iptables[chain];
        return '';
      case '-P':
        chainOf(state, chain).policy = ruleArgs[0];
        return '';
      default:
        return abort(2, `iptables: ${action} is not simulated`);
    }
  };

  main(() => {
    const text = withState(run);
    if (text) out(text);
  });
});
