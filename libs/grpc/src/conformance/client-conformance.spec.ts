// The client side of the conformance matrix against a plain grpc-js server.
import { startGrpcServer } from '@platform/testing';
import { grpcJsRuntime } from './__fixtures__/conformance-server.js';
import { describeClientConformance } from './client-conformance.js';

describeClientConformance(grpcJsRuntime(startGrpcServer));
