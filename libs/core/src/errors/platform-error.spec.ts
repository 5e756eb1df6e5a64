import { decodeStatus } from '@platform/proto';
import { Code } from './code.js';
import { describe, expect, it, vi } from 'vitest';
import { durationFromMs, msFromDuration, PlatformError } from './platform-error.js';
import { InvalidArgumentError, NotFoundError, UnavailableError } from './platform-errors.js';

describe('a platform error', () => {
  it('carries a google.rpc.Code and serializes to the google.rpc.Status a client decodes', () => {
    const error = new NotFoundError('Order not found', { resourceType: 'Order', resourceName: 'o1' });
    expect(error.code).toBe(Code.NOT_FOUND);
    expect(decodeStatus(error.encodedStatus())).toMatchObject({
      code: Code.NOT_FOUND,
      message: 'Order not found',
      details: { errorInfo: { reason: 'NOT_FOUND' }, resourceInfo: { resourceName: 'o1' } },
    });
  });

  it('keeps its cause for the log', () => {
    const cause = new Error('socket hang up');
    expect(new UnavailableError('Try later', { cause }).cause).toBe(cause);
  });
});

describe('instanceof', () => {
  it('recognises errors created by a second copy of this package (duplicate installs)', async () => {
    vi.resetModules();
    const copy = await import('./platform-errors.js');
    const foreign = new copy.NotFoundError('gone', { resourceType: 'Order', resourceName: 'o1' });

    expect(copy.NotFoundError).not.toBe(NotFoundError);
    expect(foreign instanceof NotFoundError).toBe(true);
    expect(foreign instanceof PlatformError).toBe(true);
    expect(foreign instanceof InvalidArgumentError).toBe(false);
  });

  it('rejects look-alikes and non-objects', () => {
    expect({ code: 5, message: 'x' } instanceof PlatformError).toBe(false);
    expect((null as unknown) instanceof PlatformError).toBe(false);
    expect(new Error('x') instanceof NotFoundError).toBe(false);
  });
});

describe('durations', () => {
  it('convert milliseconds to google.protobuf.Duration and back', () => {
    expect(durationFromMs(1_500)).toEqual({ seconds: '1', nanos: 500_000_000 });
    expect(msFromDuration(durationFromMs(61_001))).toBe(61_001);
    expect(durationFromMs(-5)).toEqual({ seconds: '0', nanos: 0 });
  });
});
