// Baseline: the handler on plain grpc-js, nothing else.
import * as grpc from '@grpc/grpc-js';
import { serveOrders } from './serve-orders.js';

const server = new grpc.Server();
serveOrders(server);
process.on('SIGTERM', () => server.forceShutdown());
