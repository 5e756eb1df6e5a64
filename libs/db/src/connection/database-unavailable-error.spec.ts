import { Code, PlatformError, toPlatformError, UnavailableError } from '@platform/core';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from './database-unavailable-error.js';

describe('DatabaseUnavailableError', () => {
  const cause = Object.assign(
    new Error('connect ECONNREFUSED 10.0.0.5:5432 (postgres://app:s3cret@db/app)'),
    {
      code: 'ECONNREFUSED',
    },
  );
  const error = new DatabaseUnavailableError({ cause });

  it('is a platform UNAVAILABLE error that the edge answers as it is', () => {
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(toPlatformError(error)).toBe(error);
  });

  it('carries reason DATABASE_UNAVAILABLE and a RetryInfo of 1 s', () => {
    expect(error.statusDetails).toMatchObject({
      errorInfo: { reason: 'DATABASE_UNAVAILABLE' },
      retryInfo: { retryDelay: { seconds: '1', nanos: 0 } },
    });
  });

  it('keeps the driver error as cause, out of its message', () => {
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('The database is unavailable');
  });

  it('is not mistaken for another platform error', () => {
    expect(new UnavailableError('other')).not.toBeInstanceOf(DatabaseUnavailableError);
    expect(new PlatformError(Code.INTERNAL, 'x')).not.toBeInstanceOf(DatabaseUnavailableError);
  });
});
