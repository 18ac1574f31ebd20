import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dearmor, fingerprintOf } from '../../lib/modules/openpgp-key.js';

describe('OpenPGP keys for signed-by keyrings', () => {
  it('dearmors an ASCII-armored key and finds the fingerprint gpg finds', () => {
    const home = mkdtempSync(join(tmpdir(), 'nop-gpg-'));
    try {
      const gpg = (...args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
      gpg('--passphrase', '', '--quick-gen-key', 'nop test <nop@example.invalid>', 'ed25519', 'sign', 'never');
      const armored = gpg('--armor', '--export');
      const binary = gpg('--export');
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--fingerprint').toString())?.[1];
      expect(dearmor(armored).equals(binary)).toBe(true);
      expect(dearmor(binary).equals(binary)).toBe(true);
      expect(fingerprintOf(binary)).toBe(fpr);
      expect(fingerprintOf(Buffer.from('not a key'))).toBeUndefined();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
