import type { ChannelOptions, Interceptor, InterceptorOptions } from '@grpc/grpc-js';
import { asInterceptingCall } from './as-intercepting-call.js';

/** The channel a client call goes through, as client interceptors need to know it. */
export interface ChannelScope {
  /** The channel's target, as given to the client (`127.0.0.1:5001`, `dns:///orders:50051`). */
  readonly target: string;
  /** The channel's options (a `grpc.service_config` retry policy, for one). */
  readonly channelOptions: Readonly<ChannelOptions>;
}

const channelScopeKey = Symbol.for('@platform/grpc.channelScope');

type ScopedOptions = InterceptorOptions & { [channelScopeKey]?: ChannelScope };

/**
 * Client interceptor that tells the interceptors after it which channel their calls use:
 * per-target state (retry budget, circuit breaker) is keyed by it. {@link createClient} puts
 * it first in every client's chain; put it first yourself in clients built by hand. The scope
 * travels in the call options, so interceptors must pass the options object on (a spread copy
 * keeps it).
 */
export function channelScopeInterceptor(scope: ChannelScope): Interceptor {
  const frozen: ChannelScope = Object.freeze({
    target: scope.target,
    channelOptions: { ...scope.channelOptions },
  });
  return (options, nextCall) =>
    asInterceptingCall(nextCall({ ...options, [channelScopeKey]: frozen } as ScopedOptions));
}

/** The channel scope of a call, when {@link channelScopeInterceptor} ran before. */
export function channelScopeOf(options: InterceptorOptions): ChannelScope | undefined {
  return (options as ScopedOptions)[channelScopeKey];
}

/**
 * Key of per-target state: the channel target when known, otherwise the called service (one
 * service per target is the common deployment).
 */
export function targetKeyOf(options: InterceptorOptions): string {
  const scope = channelScopeOf(options);
  if (scope) return scope.target;
  const [, service = ''] = /^\/([^/]+)\//.exec(options.method_definition.path) ?? [];
  return service || options.method_definition.path;
}
