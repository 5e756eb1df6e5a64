import { connect, createServer } from 'node:net';
import { DrizzleQueryError } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isConnectionFailure } from './is-connection-failure.js';

/** A pg server error with this SQLSTATE, as pg raises it. */
function serverError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('server said no', 0, 'error');
  error.code = code;
  return error;
}

/** drizzle's wrapping of a failed statement. */
function failedQuery(cause: unknown): DrizzleQueryError {
  return new DrizzleQueryError('insert into users values ($1)', ['u1'], cause as Error);
}

/** The error Node raises connecting to a loopback port nobody listens on. */
async function refusedConnection(): Promise<Error> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return new Promise((resolve) => connect(port, '127.0.0.1').on('error', resolve));
}

describe('isConnectionFailure', () => {
  describe('socket errors', () => {
    it('recognises a refused connection, raw and wrapped by drizzle', async () => {
      const refused = await refusedConnection();
      expect((refused as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expect(isConnectionFailure(refused)).toBe(true);
      expect(isConnectionFailure(failedQuery(refused))).toBe(true);
    });

    it.each(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])(
      'recognises %s',
      (code) => {
        const error = Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });
        expect(isConnectionFailure(failedQuery(error))).toBe(true);
      },
    );

    it('ignores other system errors', () => {
      expect(isConnectionFailure(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
    });
  });

  describe('pg connection errors without a code', () => {
    it.each([
      'Connection terminated',
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ])('recognises "%s"', (message) => {
      expect(isConnectionFailure(new Error(message))).toBe(true);
      expect(isConnectionFailure(failedQuery(new Error(message)))).toBe(true);
    });

    it('does not match a message that only contains the wording', () => {
      expect(isConnectionFailure(new Error('user input: Connection terminated'))).toBe(false);
    });
  });

  describe('SQLSTATEs', () => {
    it.each(['08000', '08001', '08003', '08006', '08P01', '57P01', '57P02', '57P03', '53300'])(
      'recognises %s',
      (code) => {
        expect(isConnectionFailure(failedQuery(serverError(code)))).toBe(true);
      },
    );

    it.each(['23505', '40001', '40P01', '57014', '42P01', '53100', '25006'])(
      'refuses %s: the server is there and answered',
      (code) => {
        expect(isConnectionFailure(failedQuery(serverError(code)))).toBe(false);
      },
    );
  });

  describe('anything else', () => {
    it.each([new Error('insufficient funds'), 'a string', undefined, null, { code: 14 }])(
      'is not a connection failure: %s',
      (value) => {
        expect(isConnectionFailure(value)).toBe(false);
      },
    );
  });
});
