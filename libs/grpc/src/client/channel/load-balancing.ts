import type { ChannelOptions } from '@grpc/grpc-js';
import { oneOf } from '@platform/config';

/** How a client spreads calls over the addresses its target resolves to. */
export const loadBalancingPolicies = ['round_robin', 'pick_first'] as const;

export type LoadBalancingPolicy = (typeof loadBalancingPolicies)[number];

/**
 * The variable of a client's policy (`USER_SERVICE_LOAD_BALANCING` …): `round_robin` by default,
 * a call per address in turn over every address a `dns:///` target resolves to (every pod behind
 * a headless Service); `pick_first` sends every call to the first address that answers.
 */
export const loadBalancingVariable = () => oneOf(loadBalancingPolicies).default('round_robin');

/** The grpc-js channel options that choose `policy`. */
export function loadBalancingOptions(policy: LoadBalancingPolicy): ChannelOptions {
  return { 'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ [policy]: {} }] }) };
}
