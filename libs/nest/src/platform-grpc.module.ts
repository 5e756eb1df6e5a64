import type { Client } from '@grpc/grpc-js';
import {
  Global,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { type ClientConstructor, createClient, type CreateClientOptions } from '@platform/grpc';
import { GrpcExceptionFilter } from './grpc-exception.filter.js';
import type { GrpcExceptionFilterOptions } from './nest-options.js';

/** A typed gRPC client the module provides under `provide`. */
export interface PlatformGrpcClient<T extends Client = Client> {
  /** Injection token, e.g. `USER_SERVICE_CLIENT`. */
  provide: string | symbol;
  /** The ts-proto client constructor, e.g. `UserServiceClient`. */
  client: ClientConstructor<T>;
  /** `host:port` of the service. */
  target: string | (() => string);
  /** Channel options and interceptors, typically `{ interceptors: createClientChain(...) }`. */
  options?: CreateClientOptions | (() => CreateClientOptions);
}

/** Options of {@link PlatformGrpcModule.forRoot}. */
export interface PlatformGrpcModuleOptions {
  /** Options of the global {@link GrpcExceptionFilter}. */
  exceptions?: GrpcExceptionFilterOptions;
  /** Typed clients to provide (one pooled channel per target), closed when the app shuts down. */
  clients?: readonly PlatformGrpcClient[];
}

/** Closes the module's clients when the application shuts down. */
@Injectable()
export class PlatformGrpcClients implements OnApplicationShutdown {
  readonly #clients: Client[] = [];

  track<T extends Client>(client: T): T {
    this.#clients.push(client);
    return client;
  }

  onApplicationShutdown(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }
}

const resolve = <T>(value: T | (() => T)): T => (typeof value === 'function' ? (value as () => T)() : value);

/**
 * The NestJS module of the platform's gRPC package: registers {@link GrpcExceptionFilter} as a
 * global filter (every handler error reaches the client with the right code and details, never
 * UNKNOWN) and provides typed clients built with `createClient`. Import it once, in the root
 * module: `PlatformGrpcModule.forRoot({ clients: [...] })`.
 */
@Global()
@Module({})
export class PlatformGrpcModule {
  static forRoot(options: PlatformGrpcModuleOptions = {}): DynamicModule {
    const clients: Provider[] = (options.clients ?? []).map((entry) => ({
      provide: entry.provide,
      inject: [PlatformGrpcClients],
      useFactory: (registry: PlatformGrpcClients) =>
        registry.track(createClient(entry.client, resolve(entry.target), resolve(entry.options ?? {}))),
    }));
    return {
      module: PlatformGrpcModule,
      providers: [
        PlatformGrpcClients,
        { provide: APP_FILTER, useFactory: () => new GrpcExceptionFilter(options.exceptions) },
        ...clients,
      ],
      exports: (options.clients ?? []).map((entry) => entry.provide),
    };
  }
}
