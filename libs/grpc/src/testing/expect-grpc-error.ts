import { status as GrpcStatus } from '@grpc/grpc-js';
import { expect } from 'vitest';
import { ClientError } from '../client/errors/client-error.js';

/**
 * Awaits `call`, expects it to fail with a `ClientError` of `code` (the assertion names both
 * codes and the status message), and returns the error for further assertions on its details.
 */
export async function expectGrpcError(call: Promise<unknown>, code: GrpcStatus): Promise<ClientError> {
  const error = await call.then(
    (response) => {
      throw new Error(`expected ${GrpcStatus[code]}, got a response: ${JSON.stringify(response)}`);
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ClientError);
  const clientError = error as ClientError;
  expect(GrpcStatus[clientError.code], clientError.details).toBe(GrpcStatus[code]);
  return clientError;
}

/** The fields of an error's BadRequest violations, sorted (none: empty). */
export function fieldsOf(error: ClientError): string[] {
  return (error.statusDetails.badRequest?.fieldViolations ?? []).map((violation) => violation.field).sort();
}
