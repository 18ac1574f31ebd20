#!/usr/bin/env node
// lsblk [-b] [-J] [-d] [-n] [-o COLUMNS]: the profile's disks and partitions.
import { command, out } from './lib/io.mjs';
import { readState } from './lib/state.mjs';

export default command((argv) => {
  const state = readState();
  const flags = new Set(argv.filter((a) => /^-[a-zA-Z]+$/.test(a)).flatMap((a) => [...a.slice(1)]));
  argv.filter((a) => a.startsWith('--')).forEach((a) => flags.add(a.slice(2)));
  const oi = argv.findIndex((a) => a === '-o' || a === '--output');
  const columns = (oi >= 0 ? argv[oi + 1] : (argv.find((a) => a.startsWith('--output='))?.slice(9) ?? 'NAME,MAJ:MIN,RM,SIZE,RO,TYPE,MOUNTPOINTS'))
    .toUpperCase()
    .split(',');
  const bytes = flags.has('b') || flags.has('bytes');

  const humanSize = (n) => {
    const units = ['B', 'K', 'M', 'G', 'T'];
    let v = n;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
  };

  const devices = state.profile.disks.flatMap((d, di) => [
    { name: d.name, 'maj:min': `259:${di * 8}`, rm: false, size: d.size_bytes, ro: false, type: 'disk', mountpoint: null, fstype: null, parent: null },
    ...(flags.has('d') || flags.has('nodeps')
      ? []
      : d.partitions.map((p, pi) => ({
          name: p.name,
          'maj:min': `259:${di * 8 + pi + 1}`,
          rm: false,
          size: p.size_bytes,
          ro: false,
          type: 'part',
          mountpoint: p.mount ?? null,
          fstype: p.fstype,
          parent: d.name,
        }))),
  ]);

  const value = (dev, col) => {
    switch (col) {
      case 'SIZE':
        return bytes ? dev.size : humanSize(dev.size);
      case 'MOUNTPOINT':
        return dev.mountpoint;
      case 'MOUNTPOINTS':
        return dev.mountpoint ? [dev.mountpoint] : [null];
      case 'RM':
      case 'RO':
        return dev[col.toLowerCase()];
      default:
        return dev[col.toLowerCase()] ?? null;
    }
  };

  if (flags.has('J') || flags.has('json')) {
    const entry = (dev) => Object.fromEntries(columns.map((c) => [c.toLowerCase(), value(dev, c)]));
    const disks = devices
      .filter((d) => d.type === 'disk')
      .map((d) => {
        const children = devices.filter((p) => p.parent === d.name).map(entry);
        return children.length ? { ...entry(d), children } : entry(d);
      });
    out(JSON.stringify({ blockdevices: disks }, null, 3));
  } else {
    const text = (dev, c) => {
      const v = value(dev, c);
      if (Array.isArray(v)) return v.filter(Boolean).join(' ');
      if (typeof v === 'boolean') return v ? '1' : '0';
      return v === null ? '' : String(v);
    };
    const branch = (d, i) => (devices[i + 1]?.parent === d.parent ? '├─' : '└─');
    const rows = devices.map((d, di) => columns.map((c, i) => (i === 0 && d.parent && !flags.has('l') ? `${branch(d, di)}${text(d, c)}` : text(d, c))));
    const all = flags.has('n') || flags.has('noheadings') ? rows : [columns, ...rows];
    const widths = columns.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    out(
      all
        .map((r) =>
          r
            .map((v, i) => v.padEnd(widths[i]))
            .join(' ')
            .trimEnd(),
        )
        .join('\n'),
    );
  }
});
