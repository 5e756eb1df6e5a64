import { InvalidArgumentError, type FieldViolation } from '../errors/platform-errors.js';

/**
 * The error of a request its validator refuses: INVALID_ARGUMENT, reason `INVALID_REQUEST`, a
 * message naming every violation, one BadRequest field violation each. The validation
 * interceptor answers it; a handler checking one item of a stream answers the same, so a client
 * gets one error for one mistake whether it made it in a call or in an item.
 */
export function invalidRequestError(violations: readonly FieldViolation[]): InvalidArgumentError {
  return new InvalidArgumentError(
    `Invalid request: ${violations.map((violation) => `${violation.field} ${violation.description}`).join('; ')}`,
    violations,
    { reason: 'INVALID_REQUEST' },
  );
}
