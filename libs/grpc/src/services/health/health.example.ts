// grpc.health.v1 driven by dependency checks: what Kubernetes gRPC probes and
// `grpcurl -plaintext localhost:50051 grpc.health.v1.Health/Check` read.
import * as grpc from '@grpc/grpc-js';
import { HealthService } from '@platform/grpc';
import { serviceNames } from '@platform/proto';
import { connect } from 'node:net';

/** True when a TCP connection to the address opens (a database, a broker). */
function canConnect(host: string, port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, signal });
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.once('connect', () => socket.destroy());
  });
}

const health = new HealthService({
  services: [serviceNames.order],
  onChange: ({ service, status, failures }) => console.log(`${service || '(server)'} is ${status}`, failures),
});
// A dependency of the whole server ('') and one of OrderService only.
health.addCheck('', () => process.memoryUsage().heapUsed < 1.5e9, 'heap');
health.addCheck(serviceNames.order, (signal) => canConnect('127.0.0.1', 5432, signal), 'postgres');

const server = new grpc.Server();
health.addToServer(server);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), async (error, port) => {
  if (error) throw error;
  await health.start(); // checks now, then every 5 s
  console.log(`health on 127.0.0.1:${port}: overall ${health.status('')}`, health.failures(''));
  health.setNotServing(); // what a shutdown does first
  server.forceShutdown();
});
