import { Controller } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { GrpcMethod, GrpcStreamMethod, Payload } from '@nestjs/microservices';
import { holdRequestStreamArgument } from './hold-request-stream-argument.js';
import type { NestController, ServiceMethodDefinition } from './nest-controller.js';

function methodDescriptor(prototype: object, key: string): PropertyDescriptor | undefined {
  for (
    let owner: object | null = prototype;
    owner && owner !== Object.prototype;
    owner = Object.getPrototypeOf(owner)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (descriptor) return typeof descriptor.value === 'function' ? { ...descriptor } : undefined;
  }
  return undefined;
}

/**
 * Once any parameter of a handler is decorated, Nest passes only decorated parameters; the
 * request then needs `@Payload()`. It is added to the first parameter when missing, so the
 * first parameter is always the request, as {@link NestController} declares.
 */
function bindRequestToFirstParameter(target: object, prototype: object, key: string): void {
  const parameters = Reflect.getMetadata(ROUTE_ARGS_METADATA, target, key) as
    Record<string, unknown> | undefined;
  if (parameters && !Object.keys(parameters).some((parameter) => parameter.endsWith(':0'))) {
    Payload()(prototype, key, 0);
  }
}

/**
 * Makes a class the Nest controller of a ts-proto service definition: applies `@Controller()`,
 * and Nest's `@GrpcMethod` (unary, server streaming) or `@GrpcStreamMethod` (client streaming,
 * bidi, as Observables) to every method the class has, named as in the proto (`GetOrder` for
 * `getOrder`). The first parameter receives the request (or the Observable of requests), also
 * next to parameter decorators such as `@GrpcPrincipal()`. A request stream holds the messages
 * that arrive before the handler subscribes to it (Nest would drop them), so a handler may
 * subscribe late, once. Methods the class lacks are answered UNIMPLEMENTED. The compiler checks
 * the methods present against {@link NestController}.
 *
 * `@GrpcService(OrderServiceService) class OrderController implements NestController<typeof OrderServiceService>`
 */
export function GrpcService<Service extends Readonly<Record<string, ServiceMethodDefinition>>>(
  definition: Service,
) {
  return (target: abstract new (...args: never[]) => Partial<NestController<Service>>): void => {
    Controller()(target);
    const prototype = target.prototype as object;
    for (const [key, method] of Object.entries(definition)) {
      const descriptor = methodDescriptor(prototype, key);
      if (!descriptor) continue;
      const [, service, rpc] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
      if (!service || !rpc) throw new Error(`GrpcService: ${key} has no gRPC path (${method.path})`);
      if (method.requestStream) holdRequestStreamArgument(target, prototype, key, descriptor);
      bindRequestToFirstParameter(target, prototype, key);
      const decorate = method.requestStream ? GrpcStreamMethod(service, rpc) : GrpcMethod(service, rpc);
      // GrpcStreamMethod replaces descriptor.value (it drains buffered messages), so the
      // descriptor is written back after decorating.
      decorate(prototype, key, descriptor);
      Object.defineProperty(prototype, key, descriptor);
    }
  };
}
