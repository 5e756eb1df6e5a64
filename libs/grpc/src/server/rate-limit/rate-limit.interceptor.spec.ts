import * as grpc from '@grpc/grpc-js';
import { statusFromMetadata } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  callEcho,
  EchoClient,
  echoImplementation,
  echoKinds,
  echoServiceDefinition,
} from '../auth/__fixtures__/echo-service.js';
import { authServerInterceptor } from '../auth/auth.interceptor.js';
import type { TokenVerifier } from '../auth/auth-options.js';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { msFromDuration } from '@platform/core';
import type { RateLimitOptions } from './rate-limit-options.js';
import { peerHost, rateLimitServerInterceptor } from './rate-limit.interceptor.js';

// Tokens are the subjects: the rate limiter only cares who the principal is.
const subjectVerifier: TokenVerifier = {
  verify: async (token) => ({
    subject: token,
    kind: 'user',
    roles: ['user'],
    expiresAt: Date.now() + 600_000,
  }),
};

const running: { server: RunningGrpcServer; client: EchoClient }[] = [];
afterEach(async () => {
  for (const { server, client } of running.splice(0)) {
    client.close();
    await server.stop();
  }
});

/** context + error + auth + rate limit, in chain order (auth optional: anonymous callers). */
async function start(options: RateLimitOptions, { auth = true } = {}) {
  const calls = { count: 0 };
  const server = await startGrpcServer({
    services: [{ definition: echoServiceDefinition, implementation: echoImplementation(calls) }],
    interceptors: [
      contextInterceptor,
      errorInterceptor({ domain: 'test.platform' }),
      ...(auth ? [authServerInterceptor({ verifier: subjectVerifier })] : []),
      rateLimitServerInterceptor(options),
    ],
  });
  const client = new EchoClient(server.address, grpc.credentials.createInsecure());
  running.push({ server, client });
  return { client, calls };
}

function as(subject: string): { metadata: grpc.Metadata } {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${subject}`);
  return { metadata };
}

async function exhausted(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (caught: grpc.ServiceError) => caught,
  );
  const details = statusFromMetadata(error.metadata)?.details;
  return {
    code: error.code,
    reason: details?.errorInfo?.reason,
    domain: details?.errorInfo?.domain,
    retryDelayMs: details?.retryInfo?.retryDelay ? msFromDuration(details.retryInfo.retryDelay) : undefined,
    quotaSubjects: details?.quotaFailure?.violations.map((violation) => violation.subject),
  };
}

describe('rateLimitServerInterceptor', () => {
  it.each(echoKinds)(
    'lets a burst of %s calls through, then answers RESOURCE_EXHAUSTED with RetryInfo and QuotaFailure',
    async (kind) => {
      const now = 1_000_000;
      const { client, calls } = await start({ ratePerSecond: 2, burst: 3, clock: () => now });

      for (let index = 0; index < 3; index += 1) await callEcho(client, kind, as('user-1'));
      const result = await exhausted(callEcho(client, kind, as('user-1')));

      expect(result).toEqual({
        code: grpc.status.RESOURCE_EXHAUSTED,
        reason: 'RATE_LIMITED',
        domain: 'test.platform',
        retryDelayMs: 500,
        quotaSubjects: ['user-1'],
      });
      expect(calls.count).toBe(3);
    },
  );

  it('keeps a bucket per principal', async () => {
    const now = 1_000_000;
    const { client } = await start({ ratePerSecond: 1, burst: 2, clock: () => now });

    await callEcho(client, 'unary', as('user-1'));
    await callEcho(client, 'unary', as('user-1'));
    expect((await exhausted(callEcho(client, 'unary', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );

    await expect(callEcho(client, 'unary', as('user-2'))).resolves.toHaveLength(1);
    await expect(callEcho(client, 'unary', as('user-2'))).resolves.toHaveLength(1);
    expect((await exhausted(callEcho(client, 'unary', as('user-2')))).quotaSubjects).toEqual(['user-2']);
  });

  it('refills over time', async () => {
    let now = 1_000_000;
    const { client } = await start({ ratePerSecond: 4, burst: 2, clock: () => now });

    await callEcho(client, 'unary', as('user-1'));
    await callEcho(client, 'unary', as('user-1'));
    expect((await exhausted(callEcho(client, 'unary', as('user-1')))).retryDelayMs).toBe(250);

    now += 100;
    expect((await exhausted(callEcho(client, 'unary', as('user-1')))).retryDelayMs).toBe(150);
    now += 150;
    await expect(callEcho(client, 'unary', as('user-1'))).resolves.toHaveLength(1);
    expect((await exhausted(callEcho(client, 'unary', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );

    now += 10_000; // refilled up to the burst, not beyond
    await callEcho(client, 'unary', as('user-1'));
    await callEcho(client, 'unary', as('user-1'));
    expect((await exhausted(callEcho(client, 'unary', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
  });

  it('keys anonymous callers by peer address', async () => {
    const now = 1_000_000;
    const { client } = await start({ ratePerSecond: 1, burst: 1, clock: () => now }, { auth: false });

    await callEcho(client, 'unary');
    expect((await exhausted(callEcho(client, 'unary'))).quotaSubjects).toEqual(['peer:127.0.0.1']);
  });

  it('gives overridden methods a bucket and limit of their own', async () => {
    const now = 1_000_000;
    const { client } = await start({
      ratePerSecond: 1,
      burst: 1,
      overrides: { [echoServiceDefinition.Bidi.path]: { ratePerSecond: 1, burst: 3 } },
      clock: () => now,
    });

    await callEcho(client, 'unary', as('user-1'));
    expect((await exhausted(callEcho(client, 'serverStream', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
    for (let index = 0; index < 3; index += 1) await callEcho(client, 'bidi', as('user-1'));
    expect((await exhausted(callEcho(client, 'bidi', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
  });

  it('leaves methods the selector excludes alone', async () => {
    const now = 1_000_000;
    const { client } = await start({
      ratePerSecond: 1,
      burst: 1,
      selector: (method) => method.path !== echoServiceDefinition.Unary.path,
      clock: () => now,
    });

    for (let index = 0; index < 5; index += 1) await callEcho(client, 'unary', as('user-1'));
    await callEcho(client, 'bidi', as('user-1'));
    expect((await exhausted(callEcho(client, 'bidi', as('user-1')))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
  });

  it('refuses nonsensical limits', () => {
    expect(() => rateLimitServerInterceptor({ ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
    expect(() => rateLimitServerInterceptor({ ratePerSecond: 1, burst: 0.5 })).toThrow(/burst/);
    expect(() =>
      rateLimitServerInterceptor({
        ratePerSecond: 1,
        burst: 1,
        overrides: { '/a.B/C': { ratePerSecond: -1, burst: 1 } },
      }),
    ).toThrow(/override/);
  });
});

describe('peerHost', () => {
  it.each([
    ['127.0.0.1:5000', '127.0.0.1'],
    ['[::1]:5000', '::1'],
    ['unix:/tmp/grpc.sock', 'unix:/tmp/grpc.sock'],
    ['unknown', 'unknown'],
  ])('%s -> %s', (peer, host) => {
    expect(peerHost(peer)).toBe(host);
  });
});
