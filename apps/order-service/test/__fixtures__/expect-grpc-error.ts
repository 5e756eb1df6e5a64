import { status as GrpcStatus } from '@grpc/grpc-js';
import { ClientError } from '@platform/grpc';
import { expect } from 'vitest';

/** Awaits `call`, expects it to fail with `code`, and returns the decoded error. */
export async function expectGrpcError(call: Promise<unknown>, code: GrpcStatus): Promise<ClientError> {
  const error = await call.then(
    (response) => {
      throw new Error(`expected ${GrpcStatus[code]}, got a response: ${JSON.stringify(response)}`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ClientError);
  const clientError = error as ClientError;
  expect(GrpcStatus[clientError.code], clientError.details).toBe(GrpcStatus[code]);
  return clientError;
}

/** The fields of an error's BadRequest violations, sorted. */
export function fieldsOf(error: ClientError): string[] {
  return (error.statusDetails.badRequest?.fieldViolations ?? []).map((violation) => violation.field).sort();
}
