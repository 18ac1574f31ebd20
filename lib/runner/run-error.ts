/** A run that cannot start for a reason that is not a syntax error (a missing playbook...): exit 1, as Ansible. */
export class RunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
