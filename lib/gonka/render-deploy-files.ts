import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../runner/paths.js';
import { renderTemplateFile } from '../template/render.js';
import { buildDeployment } from './build-deployment.js';
import { parseConverted } from '../modules/converted-args.js';
import { ConfigVarsSchema } from './config-vars.js';
import { CONFIG_ENV, MLNODE_COMPOSE, NETWORK_COMPOSE, NGINX_CONF, NODE_CONFIG } from './deploy-files.js';
import type { DeployedSettings } from './deployed-settings.js';
import type { Deployment } from './deployment.js';
import { DeploymentVariableError } from './deployment-variable-error.js';
import { readKeyringPassword } from './keyring-password.js';
import { loadNetwork, withNetworkOverrides } from './network.js';
import type { StackFiles } from './stack-diff.js';
import { loadVersions, withVersionOverrides } from './versions.js';

const configVars = async (vars: Record<string, unknown>) => {
  // converted as the config role's variables are: an inventory's float (1.0) is its number, or its text
  const res = parseConverted(ConfigVarsSchema, { ...(await roleDefaults()), ...vars });
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  throw new DeploymentVariableError(issue.path.join('.'), issue.message);
};

// the deployment and a renderer of its templates; `fallback` stands in for the cold key and the password when the
// variables leave them out
const deploymentOf = async (input: RenderInput, fallback: DeployedSettings) => {
  const parsed = await configVars(input.vars);
  const pubkey = parsed.account_pubkey ?? fallback.account_pubkey;
  const v = { ...parsed, account_pubkey: pubkey ?? PLACEHOLDER_PUBKEY, key_name: parsed.key_name ?? fallback.key_name };
  const password = (await readKeyringPassword(v)) ?? fallback.keyring_password;
  const network = withNetworkOverrides(await loadNetwork(v.gonka_network), v.gonka_network_overrides);
  const versions = withVersionOverrides(await loadVersions(), v.gonka_versions_overrides);
  const keyringPassword = password ?? PLACEHOLDER_PASSWORD;
  const deployment = buildDeployment({ vars: v, network, versions, keyringPassword, hostVar: input.hostVar, mlHosts: input.mlHosts });
  // only a network node's files (config.env) hold the cold key and the password: an ML-only server needs neither
  if (deployment.topology.network && pubkey === undefined)
    throw new DeploymentVariableError('account_pubkey', 'is not set, and the deployed config.env has no ACCOUNT_PUBKEY');
  if (deployment.topology.network && password === undefined)
    throw new DeploymentVariableError('keyring_password', 'is not set, and the deployed config.env has no KEYRING_PASSWORD');
  const vars = { gonka: deployment, gonka_keyring_password: keyringPassword, gonka_acme_credentials: v.gonka_acme_credentials };
  const render = async (file: string) => {
    const path = join(packageRoot, 'templates', `${file}.hbs`);
    return renderTemplateFile(path, await readFile(path, 'utf8'), vars);
  };
  return { deployment, render, identity: { account_pubkey: v.account_pubkey, keyring_password: keyringPassword } };
};

/**
 * Every file the config role would write on this host (config.env, node-config.json, the compose files, nginx.conf),
 * rendered here with the same deployment and templates. A value the variables leave out (the cold key, its name, the
 * keyring password) is taken from the host's deployed config.env (`deployed`); neither there: an error naming it.
 */
export const renderAllDeployFiles = async (
  input: RenderInput,
  deployed: DeployedSettings,
): Promise<{ deployment: Deployment; files: Record<string, string>; identity: Required<Pick<DeployedSettings, 'account_pubkey' | 'keyring_password'>> }> => {
  const { deployment, render, identity } = await deploymentOf(input, deployed);
  const names = [
    ...(deployment.topology.network ? [CONFIG_ENV, NODE_CONFIG, NETWORK_COMPOSE] : []),
    ...(deployment.topology.ml ? [NGINX_CONF, MLNODE_COMPOSE] : []),
  ];
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await render(name);
  return { deployment, files, identity };
};

// stand-ins for the two values that only exist once the keys role ran: the comparison never shows either
const PLACEHOLDER_PASSWORD = 'placeholder-keyring-password';
const PLACEHOLDER_PUBKEY = 'A'.repeat(44);

export interface RenderInput {
  /** the host's variables (inventory, with group_names and inventory_hostname) */
  vars: Record<string, unknown>;
  /** another host's variable */
  hostVar: (host: string, name: string) => unknown;
  mlHosts: string[];
}

const roleDefaults = async (): Promise<Record<string, unknown>> =>
  (parse(await readFile(join(packageRoot, 'roles', 'config', 'defaults.yml'), 'utf8')) ?? {}) as Record<string, unknown>;

/**
 * The compose files and config.env the config role would write on this host, rendered here from the inventory:
 * the same deployment (lib/gonka/build-deployment.ts) and templates. Without a keyring password or cold key yet,
 * stand-ins take their place.
 */
export const renderDeployFiles = async (input: RenderInput): Promise<{ deployment: Deployment; files: StackFiles }> => {
  const { deployment, render } = await deploymentOf(input, { account_pubkey: PLACEHOLDER_PUBKEY, keyring_password: PLACEHOLDER_PASSWORD });
  const files: StackFiles = {};
  if (deployment.topology.network) {
    files[CONFIG_ENV] = await render(CONFIG_ENV);
    files[NETWORK_COMPOSE] = await render(NETWORK_COMPOSE);
  }
  if (deployment.topology.ml) files[MLNODE_COMPOSE] = await render(MLNODE_COMPOSE);
  return { deployment, files };
};
