const brand = Symbol.for('@platform/db.MigrationError');

/**
 * Migrations could not be applied: a file failed (and was rolled back), an applied file was
 * changed, files are misnamed or out of order, or the lock could not be taken. `file` names the
 * migration file when one is to blame; `cause` holds the database error. The process should
 * stop: it would otherwise run against a schema it does not expect.
 */
export class MigrationError extends Error {
  readonly file: string | undefined;

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MigrationError';
    this.file = options.file;
    Object.defineProperty(this, brand, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && brand in value;
  }
}
