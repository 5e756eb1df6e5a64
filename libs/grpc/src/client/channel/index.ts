// Channels and clients: shared channels with the platform's defaults, the channel scope that
// per-target interceptors read, and a promise helper for unary calls.
export { createClient, type ClientConstructor } from './create-client.js';
export {
  loadBalancingOptions,
  loadBalancingPolicies,
  loadBalancingVariable,
  type LoadBalancingPolicy,
} from './load-balancing.js';
export type { CreateClientOptions } from './channel-options.js';
export { channelScopeInterceptor, type ChannelScope } from './channel-scope.js';
export { bearer, promiseClient, type PromiseCallOptions, type PromiseClient } from './promise-client.js';
export { unaryCall, type UnaryCallOptions, type UnaryMethod } from './unary-call.js';
