import type { Server } from '@grpc/grpc-js';
import { Counter, register } from 'prom-client';
import type { UnimplementedAuditOptions, UnimplementedProbe } from './unimplemented-options.js';
import { hookUnknownMethods, registeredPaths, type UnknownMethodCall } from './unknown-method-hook.js';

const metricName = 'grpc_server_unimplemented_total';
const defaultMaxMethodLabelsPerService = 20;
const maxLoggedLength = 256;
const unknownLabel = 'unknown';
const methodNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

type Labels = 'grpc_service' | 'grpc_method';

function counterIn(registry: NonNullable<UnimplementedAuditOptions['registry']>): Counter<Labels> {
  const existing = registry.getSingleMetric(metricName);
  if (existing instanceof Counter) return existing as Counter<Labels>;
  return new Counter<Labels>({
    name: metricName,
    help: 'Calls to methods the server does not serve, answered UNIMPLEMENTED before any interceptor.',
    labelNames: ['grpc_service', 'grpc_method'],
    registers: [registry],
  });
}

function truncate(value: string): string {
  return value.length > maxLoggedLength ? `${value.slice(0, maxLoggedLength)}…` : value;
}

function peerOf(call: UnknownMethodCall): string {
  const socket = call.stream.session?.socket;
  if (!socket?.remoteAddress) return 'unknown';
  const address = socket.remoteAddress.includes(':') ? `[${socket.remoteAddress}]` : socket.remoteAddress;
  return socket.remotePort ? `${address}:${socket.remotePort}` : address;
}

/**
 * Makes calls to methods the server does not serve visible. grpc-js answers them UNIMPLEMENTED
 * before any interceptor runs, so neither logs nor metrics would see scanners, misrouted
 * clients or clients built from a newer contract. Each such call is logged (path, peer,
 * user-agent; never authorization or other metadata), counted in
 * `grpc_server_unimplemented_total{grpc_service,grpc_method}` and still answered UNIMPLEMENTED.
 * Label values stay bounded: a service the server does not serve is `unknown`, and so is any
 * method name past `maxMethodLabelsPerService`. Methods of a served service that lack an
 * implementation are not audited: grpc-js routes them through the interceptors.
 *
 * Call it before or after `bindAsync`. Returns the function that stops the audit.
 */
export function auditUnimplemented(server: Server, options: UnimplementedAuditOptions = {}): () => void {
  const counter = counterIn(options.registry ?? register);
  const maxMethodLabels = options.maxMethodLabelsPerService ?? defaultMaxMethodLabelsPerService;
  const methodLabels = new Map<string, Set<string>>();

  const labelsOf = (path: string): { service: string; method: string } => {
    const [, service = '', method = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
    const served =
      service !== '' && [...registeredPaths(server)].some((known) => known.startsWith(`/${service}/`));
    if (!served) return { service: unknownLabel, method: unknownLabel };
    const seen = methodLabels.get(service) ?? new Set<string>();
    methodLabels.set(service, seen);
    if (!methodNamePattern.test(method)) return { service, method: unknownLabel };
    if (!seen.has(method) && seen.size >= maxMethodLabels) return { service, method: unknownLabel };
    seen.add(method);
    return { service, method };
  };

  return hookUnknownMethods(server, (call) => {
    try {
      const labels = labelsOf(call.path);
      counter.inc({ grpc_service: labels.service, grpc_method: labels.method });
      const userAgent = call.headers['user-agent'];
      const probe: UnimplementedProbe = {
        path: truncate(call.path),
        service: labels.service,
        method: labels.method,
        peer: peerOf(call),
        userAgent: truncate(typeof userAgent === 'string' ? userAgent : ''),
      };
      options.logger?.warn({ ...probe }, 'Call to an unimplemented method');
      options.onProbe?.(probe);
    } catch {
      // The audit must never break serving: this runs inside grpc-js's stream handler.
    }
  });
}
