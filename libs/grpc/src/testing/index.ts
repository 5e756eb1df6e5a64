// Public API of @platform/grpc/testing: helpers for tests that call a service over gRPC (clients
// with a deadline, assertions on failed calls). Test code only: it imports vitest, so nothing
// here belongs in a service's runtime.
export { createTestClient } from './create-test-client.js';
export { expectGrpcError, fieldsOf } from './expect-grpc-error.js';
export {
  descriptorSet,
  ReflectionClient,
  type ReflectionResponse,
  type ReflectionVersion,
} from './reflection-client.js';
export { callWithRawHeaders, type RawCallOutcome } from './call-with-raw-headers.js';
export { callWithRawMessages, type RawMethod } from './call-with-raw-messages.js';
export { invalidUtf8Marker, withInvalidUtf8 } from './with-invalid-utf8.js';
