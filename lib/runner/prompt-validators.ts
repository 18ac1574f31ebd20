import { isIP } from 'node:net';
import { dnsNameProblem } from '../net/dns-name.js';
import { notPublicReason } from '../net/address-scope.js';
import { pocChoiceProblem } from '../gonka/poc-choice.js';

/** A named check of a `vars_prompt` answer: `problem` says in words what is wrong, undefined when the value is good. */
export interface PromptValidator {
  description: string;
  problem(value: string): string | undefined;
}

// an operator pasting a URL or host:port gets told what to keep, rather than "invalid"
const urlOrPortProblem = (value: string): string | undefined => {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'is a URL: give only the address, without http:// or a port';
  if (isIP(value) === 0 && /^[^:]+:\d+$/.test(value)) return 'includes a port: give only the address';
  return undefined;
};

const addressProblem = (value: string): string | undefined => {
  if (isIP(value) !== 0) return undefined;
  const wrapped = urlOrPortProblem(value);
  if (wrapped) return wrapped;
  const problem = dnsNameProblem(value);
  return problem && `is neither an IP address nor a DNS name: it ${problem}`;
};

export const PROMPT_VALIDATORS = {
  public_address: {
    description: 'an IP address or DNS name reachable from the internet (not private, loopback or link-local)',
    problem: (value) => {
      const bad = addressProblem(value);
      if (bad) return bad;
      const why = notPublicReason(value);
      return why && `must be reachable from the internet, but ${why}: give the address other participants will connect to`;
    },
  },
  address: {
    description: 'an IP address or a DNS name',
    problem: addressProblem,
  },
  port: {
    description: 'a TCP port, a whole number from 1 to 65535',
    problem: (value) => {
      const n = Number(value);
      return Number.isInteger(n) && n >= 1 && n <= 65535 && /^\d+$/.test(value) ? undefined : 'must be a whole number from 1 to 65535';
    },
  },
  poc_choice: {
    description: 'refuse, or the gonka1… address of a participant to delegate a PoC model to',
    problem: pocChoiceProblem,
  },
  absolute_path: {
    description: 'an absolute path (starting with /)',
    problem: (value) => (value.startsWith('/') ? undefined : 'must be an absolute path, starting with /'),
  },
} satisfies Record<string, PromptValidator>;

export type PromptValidatorName = keyof typeof PROMPT_VALIDATORS;
export const PROMPT_VALIDATOR_NAMES = Object.keys(PROMPT_VALIDATORS) as [PromptValidatorName, ...PromptValidatorName[]];
