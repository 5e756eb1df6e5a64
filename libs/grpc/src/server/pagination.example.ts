// Pagination: a List handler resolves page_size and seals its cursor into an opaque page
// token bound to the method and the request's filter; a token used with another filter, or
// altered, is answered INVALID_ARGUMENT on page_token.
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { PageTokenCodec, resolvePageSize } from '@platform/core';
import { ClientError, contextInterceptor, createClient, errorInterceptor, unaryCall } from '@platform/grpc';
import {
  ListOrdersRequest,
  ListOrdersResponse,
  Order,
  OrderServiceClient,
  OrderServiceService,
  OrderStatus,
} from '@platform/proto';

// Where the next page starts. A database-backed list keeps a keyset instead (the last row's
// create_time and id), so rows inserted meanwhile neither repeat nor go missing.
interface OrderCursor {
  nextIndex: number;
}

const stored = Array.from({ length: 7 }, (_, index) => Order.fromJSON({ id: `o-${index + 1}` }));
// The key is shared by every instance of the service (a secret from the configuration).
const pageTokens = new PageTokenCodec({ key: randomBytes(32) });

function listOrders(request: ListOrdersRequest): ListOrdersResponse {
  const scope = `ListOrders?status=${request.status}&user=${request.userId}`;
  const pageSize = resolvePageSize(request.pageSize);
  const start = pageTokens.decode<OrderCursor>(request.pageToken, scope)?.nextIndex ?? 0;
  const end = start + pageSize;
  return ListOrdersResponse.create({
    orders: stored.slice(start, end),
    nextPageToken:
      end < stored.length ? pageTokens.encode({ nextIndex: end } satisfies OrderCursor, scope) : '',
  });
}

const server = new grpc.Server({
  interceptors: [contextInterceptor, errorInterceptor({ domain: 'order.platform' })],
});
server.addService(OrderServiceService, {
  listOrders: (
    call: grpc.ServerUnaryCall<ListOrdersRequest, ListOrdersResponse>,
    callback: grpc.sendUnaryData<ListOrdersResponse>,
  ) => {
    try {
      callback(null, listOrders(call.request));
    } catch (error) {
      callback(error as grpc.ServiceError);
    }
  },
} as grpc.UntypedServiceImplementation);
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);

const orders = createClient(OrderServiceClient, `127.0.0.1:${port}`);
const list = (pageToken: string, status = OrderStatus.ORDER_STATUS_UNSPECIFIED) =>
  unaryCall(
    orders.listOrders.bind(orders),
    ListOrdersRequest.create({ pageSize: 3, pageToken, status, userId: '' }),
  );

let pageToken = '';
do {
  const page = await list(pageToken);
  console.log(page.orders.map((order) => order.id));
  pageToken = page.nextPageToken;
} while (pageToken);

const { nextPageToken } = await list('');
try {
  // The same token with another filter: refused, whatever the token says.
  await list(nextPageToken, OrderStatus.ORDER_STATUS_CANCELLED);
} catch (error) {
  if (error instanceof ClientError) console.log(error.code, error.reason, error.statusDetails.badRequest);
}
orders.close();
server.forceShutdown();
