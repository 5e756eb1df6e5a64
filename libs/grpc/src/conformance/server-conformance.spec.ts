// The server side of the conformance matrix on plain grpc-js.
import { startGrpcServer } from '@platform/testing';
import { grpcJsRuntime } from './__fixtures__/conformance-server.js';
import { describeServerConformance } from './server-conformance.js';

describeServerConformance(grpcJsRuntime(startGrpcServer));
