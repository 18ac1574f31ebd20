#!/usr/bin/env node
// df [-P] [-B SIZE|-k|-h] [-T] [--output=FIELDS] [path...]: the profile's filesystems.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { command, err, exit, out } from './lib/io.mjs';
import { mountOf, mounts } from './lib/disks.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const state = readState();
  let block = 1024;
  let human = false;
  let posix = false;
  let withType = false;
  let output;
  const paths = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // as GNU df: `--` ends the options, every argument after it is a path
    if (a === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-B' || a === '--block-size') block = parseSize(argv[++i]);
    else if (a.startsWith('--block-size=')) block = parseSize(a.slice(13));
    else if (a.startsWith('--output')) output = (a.split('=')[1] ?? 'source,fstype,itotal,iused,iavail,ipcent,size,used,avail,pcent,file,target').split(',');
    else if (/^-[A-Za-z]+/.test(a)) {
      const letters = a.slice(1);
      if (letters.includes('B')) block = parseSize(letters.slice(letters.indexOf('B') + 1));
      const own = letters.includes('B') ? letters.slice(0, letters.indexOf('B')) : letters;
      if (own.includes('P')) posix = true;
      if (own.includes('h')) human = true;
      if (own.includes('k')) block = 1024;
      if (own.includes('T')) withType = true;
    } else paths.push(a);
  }

  function parseSize(s) {
    const m = /^(\d*)([KMGT]?)(i?B?)$/i.exec(s);
    if (!m) exit(1, `df: invalid -B argument '${s}'`);
    const base = m[3].toUpperCase() === 'B' && m[2] ? 1000 : 1024;
    const power = { '': 0, K: 1, M: 2, G: 3, T: 4 }[m[2].toUpperCase()];
    return Number(m[1] || 1) * base ** power;
  }

  const humanSize = (n) => {
    const units = ['', 'K', 'M', 'G', 'T', 'P'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return i === 0 ? String(v) : `${v < 10 ? Math.ceil(v * 10) / 10 : Math.ceil(v)}${units[i]}`;
  };
  const blocks = (bytes) => (human ? humanSize(bytes) : String(Math.ceil(bytes / block)));
  const sizeHeader = human ? 'Size' : posix ? `${block === 1024 ? '1024' : block}-blocks` : block === 1024 ? '1K-blocks' : `${block}B-blocks`;

  let failed = false;
  const selected = [];
  if (paths.length === 0) selected.push(...mounts(state));
  for (const p of paths) {
    if (!existsSync(p)) {
      err(`df: ${p}: No such file or directory`);
      failed = true;
      continue;
    }
    const m = mountOf(state, resolve(p));
    if (m) selected.push({ ...m, file: p });
  }

  const COLUMNS = {
    source: ['Filesystem', (m) => m.device],
    fstype: ['Type', (m) => m.fstype],
    itotal: ['Inodes', (m) => String(Math.floor(m.size_bytes / 16384))],
    iused: ['IUsed', (m) => String(Math.floor((m.size_bytes - m.avail_bytes) / 65536))],
    iavail: ['IFree', (m) => String(Math.floor(m.size_bytes / 16384) - Math.floor((m.size_bytes - m.avail_bytes) / 65536))],
    ipcent: ['IUse%', () => '1%'],
    size: [sizeHeader, (m) => blocks(m.size_bytes)],
    used: ['Used', (m) => blocks(m.size_bytes - m.avail_bytes)],
    avail: [human ? 'Avail' : 'Available', (m) => blocks(m.avail_bytes)],
    pcent: [posix ? 'Capacity' : 'Use%', (m) => `${Math.ceil(((m.size_bytes - m.avail_bytes) / m.size_bytes) * 100)}%`],
    file: ['File', (m) => m.file ?? '-'],
    target: ['Mounted on', (m) => m.mount],
  };
  const cols = output ?? ['source', ...(withType ? ['fstype'] : []), 'size', 'used', 'avail', 'pcent', 'target'];
  if (output) COLUMNS.avail[0] = 'Avail';
  const rows = [cols.map((c) => COLUMNS[c][0]), ...selected.map((m) => cols.map((c) => COLUMNS[c][1](m)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const text = rows.map((r) =>
    r
      .map((v, i) => (i === 0 || cols[i] === 'target' || cols[i] === 'fstype' || cols[i] === 'file' ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join(' ')
      .trimEnd(),
  );
  if (selected.length) out(text.join('\n'));
  exit(failed ? 1 : 0);
});
