// tmkms-softsign-with-keygen: on first start generates the consensus key under .tmkms/secrets/.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { hostPathOf } from '../compose-project.mjs';
import { ed25519PublicKey } from '../keys.mjs';

const KEY_FILE = 'secrets/priv_validator_key.softsign';

export function tmkmsHome(service) {
  return hostPathOf(service, '/root/.tmkms');
}

// The softsign file holds the base64 ed25519 seed; the node reports the matching public key.
export function consensusPubkey(home) {
  const file = path.join(home, KEY_FILE);
  if (!fs.existsSync(file)) return undefined;
  return ed25519PublicKey(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
}

function writeSecret(file, bytes) {
  if (fs.existsSync(file)) return false;
  fs.writeFileSync(file, bytes.toString('base64') + '\n', { mode: 0o600 });
  return true;
}

export function startTmkms({ service, log }) {
  const home = tmkmsHome(service);
  if (!home) throw new Error('tmkms: no volume mounted at /root/.tmkms');
  fs.mkdirSync(path.join(home, 'secrets'), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.join(home, 'state'), { recursive: true });
  const laddr = service.environment.VALIDATOR_LISTEN_ADDRESS ?? '';
  log(`Set addr to "${laddr}" in /root/.tmkms/tmkms.toml`);
  if (writeSecret(path.join(home, KEY_FILE), crypto.randomBytes(32))) {
    log(`Generating new key in /root/.tmkms/${KEY_FILE} as WITHKEYGEN is true and key is missing.`);
  } else {
    log(`Key /root/.tmkms/${KEY_FILE} already exists. WITHKEYGEN is true, but skipping generation.`);
  }
  writeSecret(path.join(home, 'secrets/kms-identity.key'), crypto.randomBytes(32));
  log('tmkms 0.14.0 starting up...');
  log(`[gonka-mainnet@${laddr}] connected to validator successfully`);
  return { handlers: {}, state: () => 'running', close() {} };
}
