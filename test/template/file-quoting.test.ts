import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { interpolate } from '../../sim/gonka/interpolate.mjs';
import { renderHandlebars as renderString } from '../../lib/template/render.js';

const VALUES = [
  '/mnt/shared',
  'http://203.0.113.10:8000',
  'A1b2+C3/d4=',
  '',
  '/mnt/sha red',
  "it's",
  '"double"',
  '$(touch /tmp/nop-quoting-canary)',
  '`id`',
  '$HOME and ${HOME} and $$',
  'back\\slash',
  '#not-a-comment',
  '- a: b, [c] {d} *e &f !g |h >i %j @k',
  'ünïcødé',
];

describe('sh_quote', () => {
  it('writes values a POSIX sh reads back exactly, running nothing; plain values stay bare', () => {
    const file = VALUES.map((v, i) => `export V${i}=${renderString('{{sh_quote v}}', { v })}`).join('\n');
    const script = `${file}\n${VALUES.map((_, i) => `printf '%s\\0' "$V${i}"`).join('\n')}`;
    expect(execFileSync('sh', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, VALUES.length)).toEqual(VALUES);
    expect(renderString('{{sh_quote v}}', { v: 'http://203.0.113.10:8000' })).toBe('http://203.0.113.10:8000');
  });

  it('refuses a newline or another control character, without showing the value', () => {
    for (const v of ['a\nb', 'tab\there', 'esc\u001b[0m']) expect(() => renderString('{{sh_quote v}}', { v })).toThrow(/control character$/);
  });
});

describe('compose_quote', () => {
  it('writes values that YAML and compose interpolation read back exactly; plain values stay bare', () => {
    for (const v of VALUES.filter(Boolean)) {
      const yaml = renderString('volumes:\n  - {{compose_quote v ":/root/.cache"}}\n', { v });
      const [volume] = parse(interpolate(yaml, { HOME: '/root' })).volumes as string[];
      expect(volume).toBe(`${v}:/root/.cache`);
    }
    expect(renderString('{{compose_quote v ":/root/.cache"}}', { v: '/mnt/shared' })).toBe('/mnt/shared:/root/.cache');
  });
});
