import type { FieldViolation } from '@platform/core';

/**
 * What a checked deserializer hands grpc-js instead of a request holding invalid UTF-8: the
 * utf8 interceptor of the server chain answers it INVALID_ARGUMENT, so no handler ever gets it.
 * (A deserializer that threw would make grpc-js answer INTERNAL below every interceptor.)
 */
export class InvalidUtf8Request {
  constructor(readonly violation: FieldViolation) {
    Object.freeze(this);
  }
}
