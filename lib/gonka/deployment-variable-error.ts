/** A variable is missing or wrong for this host's role in the topology. */
export class DeploymentVariableError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`variable '${variable}': ${reason}`);
    this.name = 'DeploymentVariableError';
  }
}
