/** The operator pressed Ctrl-C (or ended the input) at a question: the run stops before touching any host. */
export class PromptInterrupted extends Error {
  constructor() {
    super('User interrupted execution');
    this.name = 'PromptInterrupted';
  }
}
