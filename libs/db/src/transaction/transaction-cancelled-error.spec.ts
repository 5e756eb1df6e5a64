import { Code, toPlatformError } from '@platform/core';
import { describe, expect, it } from 'vitest';
import { TransactionCancelledError } from './transaction-cancelled-error.js';

describe('TransactionCancelledError at the gRPC edge', () => {
  it('answers DEADLINE_EXCEEDED for kind timeout', () => {
    const error = new TransactionCancelledError('timeout', 'a statement ran past its statement timeout');
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(toPlatformError(error).code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it('answers CANCELLED for kind aborted', () => {
    const error = new TransactionCancelledError('aborted', 'transaction cancelled: client cancelled');
    expect(error.code).toBe(Code.CANCELLED);
    expect(toPlatformError(error).code).toBe(Code.CANCELLED);
  });
});
