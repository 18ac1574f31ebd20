/**
 * In check mode the keys role creates no key, so what only exists after apply (the cold key's public key, the
 * warm key's address) is unknown. It publishes these facts instead, so the roles after it plan honestly
 * ("would register the cold key's participant") rather than failing on a missing value or inventing one.
 */
export const COLD_KEY_PLANNED = 'cold_key_planned';
export const WARM_KEY_PLANNED = 'warm_key_planned';

/**
 * Whether this check-mode run planned to create the key the fact names (never true outside check mode). The run's
 * mode is read from `ansible_check_mode`: a `check_mode: false` task runs with ctx.check off in a check-mode run.
 */
export const keyPlanned = (ctx: { vars: Record<string, unknown> }, fact: typeof COLD_KEY_PLANNED | typeof WARM_KEY_PLANNED): boolean =>
  ctx.vars.ansible_check_mode === true && ctx.vars[fact] === true;

/** What a check-mode plan shows for a value that exists only after apply; never written (check mode writes nothing). */
export const KNOWN_AFTER_APPLY = '(known after apply)';
