import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformGrpcModule } from '@platform/nest';
import { OrderController } from './order.controller.js';
import { OrderDomain } from './order-domain.js';

/** The Nest application: the controller and the domain objects built by `startOrderService`. */
@Module({})
export class OrderServiceModule {
  static forRoot(orders: OrderDomain): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [PlatformGrpcModule.forRoot()],
      controllers: [OrderController],
      providers: [{ provide: OrderDomain, useValue: orders }],
    };
  }
}
