// Public API of @platform/grpc/conformance: the conformance matrix of the server and client
// chains, for a spec per server runtime (plain grpc-js here, NestJS in @platform/nest). Test code
// only: it imports vitest.
export { describeClientConformance } from './client-conformance.js';
export { describeServerConformance } from './server-conformance.js';
export { grpcJsRuntime, type ConformanceRuntime } from './__fixtures__/conformance-server.js';
export { okMessages, orderOf, ScriptedOrders } from './__fixtures__/scripted-orders.js';
