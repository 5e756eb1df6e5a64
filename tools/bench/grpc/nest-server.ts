// NestJS with no enhancers: the framework's own cost over the raw baseline.
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GrpcMethod, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { platformProtosDir, protoFiles, protoLoaderOptions, type GetOrderRequest } from '@platform/proto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { announce, getOrder } from './bench-order.js';

@Controller()
class OrderController {
  @GrpcMethod('OrderService', 'GetOrder')
  getOrder(request: GetOrderRequest) {
    return getOrder(request);
  }
}

@Module({ controllers: [OrderController] })
class BenchModule {}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

const port = await freePort();
const app = await NestFactory.createMicroservice<MicroserviceOptions>(BenchModule, {
  transport: Transport.GRPC,
  logger: false,
  options: {
    url: `127.0.0.1:${port}`,
    package: 'platform.order.v1',
    protoPath: join(platformProtosDir, protoFiles.orderService),
    loader: protoLoaderOptions,
  },
});
await app.listen();
// Before the ready line: the runner may signal as soon as it reads it.
process.on('SIGTERM', () => void app.close());
announce(port);
