/** The body of a `readStatement` ran a second statement: a mistake in the caller's code. */
export class SingleStatementError extends Error {
  constructor() {
    super('readStatement runs exactly one statement: use withTransaction for a read of several');
    this.name = 'SingleStatementError';
  }
}
