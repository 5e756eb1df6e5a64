// Calls to methods the server does not serve (scanners, misrouted or newer clients) are
// answered by grpc-js before any interceptor; the audit logs and counts them.
import * as grpc from '@grpc/grpc-js';
import { auditUnimplemented } from '@platform/grpc';
import { OrderServiceService } from '@platform/proto';
import { register } from 'prom-client';

const server = new grpc.Server();
server.addService(OrderServiceService, {});
auditUnimplemented(server, {
  logger: { warn: (fields, message) => console.warn(message, fields) }, // a pino logger fits
});

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const identity = (bytes: Buffer) => bytes;
  client.makeUnaryRequest('/admin.Backdoor/Open', identity, identity, Buffer.alloc(0), async (callError) => {
    console.log(
      `answered: ${callError?.code === grpc.status.UNIMPLEMENTED ? 'UNIMPLEMENTED' : callError?.code}`,
    );
    console.log(await register.getSingleMetricAsString('grpc_server_unimplemented_total'));
    client.close();
    server.forceShutdown();
  });
});
