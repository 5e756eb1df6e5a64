// The client side of @platform/grpc's conformance matrix against a NestJS server.
import { describeClientConformance } from '@platform/grpc/conformance';
import { nestConformanceRuntime } from './__fixtures__/nest-conformance-runtime.js';

describeClientConformance(nestConformanceRuntime);
