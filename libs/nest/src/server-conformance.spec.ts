// The server side of @platform/grpc's conformance matrix under NestJS: the full server chain
// answers alike on plain grpc-js and in a Nest microservice.
import { describeServerConformance } from '@platform/grpc/conformance';
import { nestConformanceRuntime } from './__fixtures__/nest-conformance-runtime.js';

describeServerConformance(nestConformanceRuntime);
