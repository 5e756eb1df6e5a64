import type { Observable } from 'rxjs';

/** What the decorators need of a ts-proto (`outputServices=grpc-js`) service definition. */
export interface ServiceMethodDefinition {
  readonly path: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

type RequestOf<Method> = Method extends { requestDeserialize: (bytes: Buffer) => infer Request }
  ? Request
  : never;
type ResponseOf<Method> = Method extends { responseSerialize: (value: infer Response) => Buffer }
  ? Response
  : never;

/** A single reply: a value, a promise of it, or an Observable emitting it. */
export type NestReply<Response> = Response | Promise<Response> | Observable<Response>;

/**
 * The Nest handler of one method, from its streaming flags: a request stream arrives as an
 * Observable (which a handler may subscribe to after an await: `@GrpcService` holds it); a
 * response stream is returned as one. Further parameters (param decorators,
 * Nest's metadata and call arguments) are free.
 */
export type NestHandler<Method> = Method extends { requestStream: true }
  ? Method extends { responseStream: true }
    ? (
        requests: Observable<RequestOf<Method>>,
        ...context: never[]
      ) => NestReply<Observable<ResponseOf<Method>>>
    : (
        requests: Observable<RequestOf<Method>>,
        ...context: never[]
      ) => NestReply<ResponseOf<Method>> | Promise<Observable<ResponseOf<Method>>>
  : Method extends { responseStream: true }
    ? (
        request: RequestOf<Method>,
        ...context: never[]
      ) => Observable<ResponseOf<Method>> | Promise<Observable<ResponseOf<Method>>>
    : (request: RequestOf<Method>, ...context: never[]) => NestReply<ResponseOf<Method>>;

/**
 * The interface a Nest controller implements for a ts-proto service definition:
 * `class OrderController implements NestController<typeof OrderServiceService>`.
 */
export type NestController<Service> = { [Key in keyof Service]: NestHandler<Service[Key]> };
