/**
 * One model's `poc_participation` choice (lib/gonka/poc-participation.ts): `refuse`, or the address of the participant
 * it is delegated to. A file of its own because every playbook's `vars_prompt` validators check it
 * (lib/runner/prompt-validators.ts), and the rest of PoC participation (the model catalog's schemas) is for the runs
 * that use it.
 */

export const REFUSE = 'refuse';

const ADDRESS = /^gonka1[02-9ac-hj-np-z]{38}$/;

/** What is wrong with one model's choice, in words; undefined when it is `refuse` or a gonka1… address. */
export const pocChoiceProblem = (value: string): string | undefined =>
  value === REFUSE || ADDRESS.test(value) ? undefined : `must be ${REFUSE} or the gonka1… address of the participant to delegate to`;
