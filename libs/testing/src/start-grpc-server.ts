import * as grpc from '@grpc/grpc-js';

/** A service to serve: its grpc-js definition and the handlers. */
export interface ServedService {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
}

/** Options of {@link startGrpcServer}. */
export interface StartGrpcServerOptions {
  services: readonly ServedService[];
  /** Server interceptors, wire side first. */
  interceptors?: grpc.ServerInterceptor[];
  /** Further grpc-js server options (message size limits …). */
  serverOptions?: grpc.ServerOptions;
}

/** A server listening on an ephemeral loopback port. */
export interface RunningGrpcServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** `127.0.0.1:<port>`, for clients. */
  readonly address: string;
  /** Stops accepting calls and cancels the running ones. */
  stop(): Promise<void>;
}

/** Starts a real grpc-js server on `127.0.0.1:0` (tests never mock grpc). */
export async function startGrpcServer(options: StartGrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new grpc.Server({ ...options.serverOptions, interceptors: options.interceptors ?? [] });
  for (const service of options.services) server.addService(service.definition, service.implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );
  return {
    server,
    port,
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
