import { z } from 'zod';
import { NETWORK_NAMES } from './network.js';
import { AbsolutePathSchema, KeyringPasswordSchema, MountedPathSchema } from './value-schemas.js';

/** The DNS provider credentials upstream's proxy-ssl service reads. */
export const ACME_CREDENTIAL_NAMES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'CF_DNS_API_TOKEN',
  'GCE_PROJECT',
  'GCE_SERVICE_ACCOUNT_JSON_B64',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_SUBSCRIPTION_ID',
  'AZURE_TENANT_ID',
  'DO_AUTH_TOKEN',
  'HETZNER_API_KEY',
] as const;

const port = z.coerce.number().int().min(1).max(65535);
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A routable IPv4 address: a bind address of 0.0.0.0 would publish on every interface. */
export const ListenIpSchema = z.ipv4().refine((ip) => ip !== '0.0.0.0', 'must be a specific address, never 0.0.0.0');

/** Where the network reaches this node (PUBLIC_URL, the p2p address): an address as above, or a DNS name. */
export const PublicHostSchema = z
  .string()
  .refine((s) => (/^[\d.]+$/.test(s) ? ListenIpSchema.safeParse(s).success : DNS_NAME.test(s)), 'expected an IPv4 address (never 0.0.0.0) or a DNS name');

/**
 * The variables of the `config` role. Which of the optional ones are required depends on the host's
 * groups (network_nodes, ml_nodes): buildDeployment checks that and names what is missing.
 */
export const ConfigVarsSchema = z.object({
  inventory_hostname: z.string().min(1).describe("set by nop: the host's inventory name"),
  group_names: z.array(z.string()).default([]).describe("set by nop: the host's groups (network_nodes, ml_nodes decide its place in the topology)"),
  gonka_deploy_dir: AbsolutePathSchema.describe('the directory the Gonka files are rendered into'),
  hf_home: MountedPathSchema.describe('model weights: HF_HOME in config.env, mounted into every ML node'),
  gonka_network: z.enum(NETWORK_NAMES).describe('the Gonka network: data/networks/NAME.yml'),
  gonka_network_overrides: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('keys of data/networks/NAME.yml to replace (seed URLs, rpc servers, peers...)'),
  gonka_versions_overrides: z.record(z.string(), z.unknown()).default({}).describe('keys of data/versions.yml to replace (image tags)'),
  public_ip: PublicHostSchema.optional().describe(
    'network node: the public IPv4 address or DNS name the network reaches it at (PUBLIC_URL, p2p); asked on a terminal when missing',
  ),
  allow_private_public_ip: z.boolean().default(false).describe('a private or loopback public_ip (a private test network, the simulator): refused otherwise'),
  private_ip: ListenIpSchema.optional().describe("this host's address on the private network between the network node and its ML nodes"),
  network_node: z.string().min(1).optional().describe('an ML-only host: the inventory name of its network node'),
  key_name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only')
    .optional()
    .describe('the warm (ML operational) key name (default: <host>-warm)'),
  keyring_password: KeyringPasswordSchema.optional().describe(
    'the keyring password (at least 8 characters); or keyring_password_file; asked on a terminal when both are missing',
  ),
  keyring_password_file: z.string().min(1).optional().describe('a file on the controller holding the keyring password (first line)'),
  account_pubkey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=?$|^[A-Za-z0-9+/]{44}$/, 'expected the base64 secp256k1 public key of the cold account (44 characters)')
    .optional()
    .describe("the cold account's public key (base64, 44 characters), from the keys role or the operator's cold signer"),
  gonka_api_port: port.default(8000).describe('host port of the public API (proxy)'),
  gonka_api_ssl_port: port.default(8443).describe("the proxy's HTTPS port (API_SSL_PORT); it serves TLS once a certificate is there (gonka_ssl_domain)"),
  gonka_bridge: z
    .boolean()
    .default(true)
    .describe("the Ethereum bridge (geth + prysm), part of upstream's standard stack; false leaves it out and 30303 closed"),
  gonka_bridge_p2p_port: port.default(30303).describe("host port of the bridge's Ethereum p2p (geth), public when gonka_bridge is on"),
  gonka_ssl_domain: z
    .string()
    .regex(DNS_NAME, 'expected a DNS name')
    .optional()
    .describe('a domain for proxy-ssl (CERT_ISSUER_DOMAIN): certificates issued by ACME DNS-01; unset: no TLS, proxy-ssl stays off'),
  gonka_acme_email: z.email().optional().describe('the ACME account email proxy-ssl registers its certificates with (with gonka_ssl_domain)'),
  gonka_acme_dns_provider: z
    .string()
    .regex(/^[a-z0-9]+$/, 'expected a DNS provider name such as cloudflare')
    .optional()
    .describe('the lego DNS provider proxy-ssl proves the domain with (route53, cloudflare, gcloud, azure, digitalocean, hetzner)'),
  gonka_acme_credentials: z
    .partialRecord(z.enum(ACME_CREDENTIAL_NAMES), z.string().min(1))
    .default({})
    .describe("the DNS provider's credentials, by the variable names upstream's proxy-ssl reads (secrets: config.env only)"),
  gonka_poc_batch_size: z.coerce
    .number()
    .int()
    .min(1)
    .max(1024)
    .optional()
    .describe("POC_BATCH_SIZE_DEFAULT of the ML nodes; unset: the chosen layout's (upstream's per-model profile), else 32"),
  gonka_p2p_port: port.default(5000).describe("host port of the chain's p2p"),
  gonka_mlnode_port: port.default(8080).describe("host port of the first ML node's management API (ML node i: port + i)"),
  gonka_inference_port: port.default(5050).describe("host port of the first ML node's inference API (ML node i: port + i)"),
  gonka_tmkms_port: port.default(26658).describe("port of tmkms' signer connection"),
  gonka_pruning_keep_recent: z.coerce.number().int().min(100).default(1000).describe('chain pruning: recent states kept'),
  gonka_pruning_interval: z.coerce.number().int().min(10).default(100).describe('chain pruning: blocks between prunings'),
  gpu_recommendation: z.unknown().optional().describe('set by the gpu-detect role: the ML node layout for the GPUs'),
});

export type ConfigVars = z.output<typeof ConfigVarsSchema>;
