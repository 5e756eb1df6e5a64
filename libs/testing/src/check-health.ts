import * as grpc from '@grpc/grpc-js';
import { service as healthDefinition, type ServingStatus } from 'grpc-health-check';

/** What grpc.health.v1 `Check` answered. */
export interface HealthCheckResponse {
  readonly status: ServingStatus | 'SERVICE_UNKNOWN';
}

/**
 * Calls grpc.health.v1 `Check` for `service` ('' asks about the server as a whole) on `address`,
 * over a channel of its own, without credentials or metadata: what a load balancer or an
 * orchestrator's probe sends. Rejects with the grpc-js `ServiceError` the call ended with
 * (NOT_FOUND for a service the server does not know).
 */
export function checkHealth(address: string, service = ''): Promise<HealthCheckResponse> {
  const method = healthDefinition['Check'];
  if (!method) return Promise.reject(new Error('grpc-health-check lacks the Check method'));
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<HealthCheckResponse>((resolve, reject) =>
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize as (bytes: Buffer) => HealthCheckResponse,
      { service },
      (error, response) => (response ? resolve(response) : reject(error)),
    ),
  ).finally(() => client.close());
}
