#!/usr/bin/env node
// The container health probe of the platform's images (the Dockerfile copies it to
// /app/deploy/healthcheck.mjs; docker-compose.yml runs it as each app's healthcheck). Exit 0:
// healthy; exit 1: not, with the reason on stderr.
//
//   node healthcheck.mjs grpc <host:port> [service]  grpc.health.v1.Health/Check answers SERVING
//                                                    ('' = the server as a whole)
//   node healthcheck.mjs http <url>                  GET answers 200 (the worker's /metrics: it
//                                                    serves no gRPC)
//
// Plain Node with the image's own dependencies (@grpc/grpc-js, grpc-health-check): no probe
// binary to download into the image.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { pathToFileURL } from 'node:url';

const defaultTimeoutMs = 3_000;

/**
 * Calls grpc.health.v1 Check on `address` for `service`, without credentials or metadata, as an
 * orchestrator's probe does.
 * @param {string} address `host:port`
 * @param {string} [service] '' asks about the server as a whole
 * @param {number} [timeoutMs]
 * @returns {Promise<{ healthy: boolean, detail: string }>}
 */
export function probeGrpc(address, service = '', timeoutMs = defaultTimeoutMs) {
  const check = healthService['Check'];
  if (!check) return Promise.resolve({ healthy: false, detail: 'grpc-health-check lacks Check' });
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const deadline = new Date(Date.now() + timeoutMs);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      check.path,
      check.requestSerialize,
      check.responseDeserialize,
      { service },
      new grpc.Metadata(),
      { deadline },
      (error, response) => {
        client.close();
        if (error) resolve({ healthy: false, detail: `${address}: ${error.message}` });
        else {
          const status = /** @type {{ status?: string }} */ (response).status ?? 'UNKNOWN';
          resolve({
            healthy: status === 'SERVING',
            detail: `${address} ${service || '(server)'}: ${status}`,
          });
        }
      },
    );
  });
}

/**
 * GET `url`; healthy when it answers 200.
 * @param {string} url
 * @param {number} [timeoutMs]
 * @returns {Promise<{ healthy: boolean, detail: string }>}
 */
export async function probeHttp(url, timeoutMs = defaultTimeoutMs) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return { healthy: response.status === 200, detail: `${url}: HTTP ${response.status}` };
  } catch (error) {
    return { healthy: false, detail: `${url}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Runs the probe the arguments name.
 * @param {readonly string[]} args
 * @returns {Promise<{ healthy: boolean, detail: string }>}
 */
export function probe(args) {
  const [kind, target, service] = args;
  if (kind === 'grpc' && target) return probeGrpc(target, service ?? '');
  if (kind === 'http' && target) return probeHttp(target);
  return Promise.resolve({
    healthy: false,
    detail: 'usage: healthcheck.mjs grpc <host:port> [service] | healthcheck.mjs http <url>',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await probe(process.argv.slice(2));
  if (!result.healthy) process.stderr.write(`unhealthy: ${result.detail}\n`);
  process.exit(result.healthy ? 0 : 1);
}
