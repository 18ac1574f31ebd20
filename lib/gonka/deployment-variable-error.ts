/** A variable is missing or wrong for this host's role in the topology. */
export class DeploymentVariableError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`variable '${variable}': ${message}`);
    this.name = 'DeploymentVariableError';
  }
}
