// The NestJS runtime of @platform/grpc's conformance matrix: the scripted OrderService as a Nest
// controller served with platformGrpcServerOptions, behind the platform's exception filter.
import { ScriptedOrders, type ConformanceRuntime } from '@platform/grpc/conformance';
import { GrpcExceptionFilter } from '../grpc-exception.filter.js';
import { startNestGrpcApp } from './nest-grpc-app.js';
import { ScriptedOrderController } from './scripted-order.controller.js';

export const nestConformanceRuntime: ConformanceRuntime = {
  name: 'NestJS',
  async start({ scripted, interceptors }) {
    const nest = await startNestGrpcApp({
      controllers: [ScriptedOrderController],
      providers: [{ provide: ScriptedOrders, useValue: scripted }],
      interceptors,
      filters: [new GrpcExceptionFilter()],
    });
    return { address: nest.address, stop: nest.close };
  },
};
