// One call of any of the four kinds, with the request metadata and deadline a spec chooses, and
// everything the client saw of it: the conformance matrix runs the same assertions per kind.
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  GetOrderRequest,
  ImportOrdersRequest,
  TrackOrdersRequest,
  WatchOrderRequest,
  type OrderServiceClient,
} from '@platform/proto';
import type { MethodType } from '../../call/method-info.js';
import { ClientError } from '../../client/errors/client-error.js';
import { requestIdKey, scenarioKey, type Scenario } from './scripted-orders.js';

export interface KindCall {
  /** Sent as `x-request-id`. Defaults to a new id. */
  requestId?: string;
  scenario?: Scenario;
  /** Sent as `authorization: Bearer <token>`. Defaults to none. */
  token?: string;
  /** Absolute deadline, epoch ms. Defaults to none. */
  deadline?: number;
  /** Sends a request (every request, for streams) that the validators refuse. */
  invalid?: boolean;
}

/** How a call ended, as the client saw it. */
export interface KindOutcome {
  readonly requestId: string;
  readonly code: GrpcStatus;
  readonly details: string;
  /** Response messages received. */
  readonly messages: number;
  /** The failure with its google.rpc details decoded; `undefined` when the call succeeded. */
  readonly error: ClientError | undefined;
}

let lastRequestId = 0;

export function newRequestId(): string {
  lastRequestId += 1;
  return `req-${lastRequestId}`;
}

function importRequest(requestId: string): ImportOrdersRequest {
  return ImportOrdersRequest.create({
    order: { requestId, userId: 'user-1', items: [], currencyCode: 'EUR' },
  });
}

/** Makes one call of the kind (streams send two requests) and resolves once it ended. */
export function callKind(
  client: OrderServiceClient,
  kind: MethodType,
  call: KindCall = {},
): Promise<KindOutcome> {
  const requestId = call.requestId ?? newRequestId();
  const metadata = new Metadata();
  metadata.set(requestIdKey, requestId);
  metadata.set(scenarioKey, call.scenario ?? 'ok');
  if (call.token !== undefined) metadata.set('authorization', `Bearer ${call.token}`);
  const options = call.deadline === undefined ? {} : { deadline: call.deadline };
  const orderId = call.invalid ? '' : 'o-1';

  return new Promise((resolve) => {
    let messages = 0;
    const end = (status: Pick<StatusObject, 'code' | 'details' | 'metadata'>) =>
      resolve({
        requestId,
        code: status.code,
        details: status.details,
        messages,
        error:
          status.code === GrpcStatus.OK
            ? undefined
            : new ClientError(status.code, status.details, status.metadata),
      });
    const unaryDone = (error: ServiceError | null) => {
      if (!error) messages += 1;
      end(error ?? { code: GrpcStatus.OK, details: 'OK', metadata: new Metadata() });
    };
    switch (kind) {
      case 'unary':
        client.getOrder(GetOrderRequest.create({ orderId }), metadata, options, unaryDone);
        return;
      case 'client_stream': {
        const stream = client.importOrders(metadata, options, unaryDone);
        for (const id of ['r-1', 'r-2']) stream.write(importRequest(call.invalid ? '' : id));
        stream.end();
        return;
      }
      case 'server_stream':
      case 'bidi_stream': {
        const stream =
          kind === 'server_stream'
            ? client.watchOrder(WatchOrderRequest.create({ orderId }), metadata, options)
            : client.trackOrders(metadata, options);
        stream.on('data', () => (messages += 1));
        stream.on('error', () => undefined); // the status carries the outcome
        stream.on('status', end);
        if (kind === 'bidi_stream') {
          const duplex = stream as ReturnType<OrderServiceClient['trackOrders']>;
          for (const id of ['o-1', 'o-2']) {
            const request = TrackOrdersRequest.create(call.invalid ? {} : { subscribeOrderId: id });
            duplex.write(request);
          }
          duplex.end();
        }
        return;
      }
    }
  });
}
