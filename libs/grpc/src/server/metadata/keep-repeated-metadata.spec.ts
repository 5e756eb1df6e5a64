import * as grpc from '@grpc/grpc-js';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  echoImplementation,
  echoKinds,
  echoServiceDefinition,
  type EchoKind,
} from '../auth/__fixtures__/echo-service.js';
import {
  createTestKey,
  signToken,
  testAudience,
  testIssuer,
  type TestKey,
} from '../auth/__fixtures__/tokens.js';
import { authServerInterceptor } from '../auth/auth.interceptor.js';
import { JwtVerifier } from '../auth/jwt-verifier.js';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { callWithRawHeaders } from '../../testing/call-with-raw-headers.js';
import { keepRepeatedMetadata } from './keep-repeated-metadata.js';

const paths: Record<EchoKind, string> = {
  unary: echoServiceDefinition.Unary.path,
  clientStream: echoServiceDefinition.ClientStream.path,
  serverStream: echoServiceDefinition.ServerStream.path,
  bidi: echoServiceDefinition.Bidi.path,
};
const request = Buffer.from(JSON.stringify({ text: 'hello' }));

let key: TestKey;
let servers: RunningGrpcServer[] = [];
beforeAll(async () => {
  key = await createTestKey('key-1');
});
afterEach(async () => {
  for (const server of servers) await server.stop();
  servers = [];
});

/** context + errors + auth, with the hook applied after bindAsync (as NestJS hands the server out) or not at all. */
async function startServer(hook: boolean, seen: grpc.Metadata[] = []) {
  const calls = { count: 0 };
  const recordMetadata: grpc.ServerInterceptor = (_definition, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            seen.push(metadata);
            nextMetadata(metadata);
          },
        }),
    });
  const server = await startGrpcServer({
    services: [{ definition: echoServiceDefinition, implementation: echoImplementation(calls) }],
    interceptors: [
      recordMetadata,
      contextInterceptor,
      errorInterceptor({ domain: 'test.platform' }),
      authServerInterceptor({
        verifier: new JwtVerifier({
          jwks: { keys: [key.publicJwk] },
          issuer: testIssuer,
          audience: testAudience,
        }),
      }),
    ],
  });
  servers.push(server);
  if (hook) keepRepeatedMetadata(server.server);
  return { server, calls };
}

describe('two authorization values', () => {
  it.each(echoKinds)('fail a %s call UNAUTHENTICATED (TOKEN_MALFORMED) before the handler', async (kind) => {
    const { server, calls } = await startServer(true);
    const valid = await signToken(key, { subject: 'user-1' });
    const other = await signToken(key, { subject: 'user-2' });
    const outcome = await callWithRawHeaders(
      server.address,
      paths[kind],
      [
        ['authorization', `Bearer ${valid}`],
        ['authorization', `Bearer ${other}`],
      ],
      [],
    );
    expect(outcome.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(outcome.status?.details.errorInfo).toMatchObject({
      reason: 'TOKEN_MALFORMED',
      domain: 'test.platform',
    });
    expect(calls.count).toBe(0);
  });

  it('reach grpc-js as the first value only without the hook (what Node does to a repeated single-value header)', async () => {
    const { server, calls } = await startServer(false);
    const valid = await signToken(key, { subject: 'user-1' });
    const outcome = await callWithRawHeaders(
      server.address,
      paths.unary,
      [
        ['authorization', `Bearer ${valid}`],
        ['authorization', 'Bearer not-a-token'],
      ],
      [request],
    );
    expect(outcome.code).toBe(grpc.status.OK);
    expect(calls.count).toBe(1);
  });

  it('are counted however the value is spelled: one value is still accepted', async () => {
    const { server, calls } = await startServer(true);
    const valid = await signToken(key, { subject: 'user-1' });
    const outcome = await callWithRawHeaders(
      server.address,
      paths.bidi,
      [['authorization', `Bearer ${valid}`]],
      [request],
    );
    expect(outcome.code).toBe(grpc.status.OK);
    expect(calls.count).toBe(1);
  });
});

describe('other repeated metadata', () => {
  it('reaches interceptors as one value per header field, not joined with ", "', async () => {
    const seen: grpc.Metadata[] = [];
    const { server } = await startServer(true, seen);
    const token = await signToken(key, { subject: 'user-1' });
    await callWithRawHeaders(
      server.address,
      paths.unary,
      [
        ['authorization', `Bearer ${token}`],
        ['x-tag', 'a'],
        ['x-tag', 'b, c'],
        ['x-trace-bin', Buffer.from([1, 2]).toString('base64')],
        ['x-trace-bin', Buffer.from([3]).toString('base64')],
      ],
      [request],
    );
    expect(seen[0]?.get('x-tag')).toEqual(['a', 'b, c']);
    expect(seen[0]?.get('x-trace-bin')).toEqual([Buffer.from([1, 2]), Buffer.from([3])]);
  });
});

describe('the grpc-js internals it hooks', () => {
  it('are those of the installed @grpc/grpc-js 1.14', () => {
    const { version } = createRequire(import.meta.url)('@grpc/grpc-js/package.json') as { version: string };
    expect(version).toMatch(/^1\.14\./);
    expect(typeof (grpc.Server.prototype as unknown as Record<string, unknown>)['_setupHandlers']).toBe(
      'function',
    );
    expect(new grpc.Server()).toHaveProperty('http2Servers', expect.any(Map));
  });

  it('are required: a server without them is refused with a clear error', () => {
    expect(() => keepRepeatedMetadata({} as grpc.Server)).toThrow(/lacks the internals it hooks/);
  });

  it('covers ports bound after it was applied', async () => {
    const server = new grpc.Server({ interceptors: [] });
    keepRepeatedMetadata(server);
    const seen: string[][] = [];
    server.addService(echoServiceDefinition, {
      ...echoImplementation(),
      Unary: (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        seen.push(call.metadata.get('x-tag') as string[]);
        callback(null, { text: '' });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      await callWithRawHeaders(
        `127.0.0.1:${port}`,
        paths.unary,
        [
          ['x-tag', 'a'],
          ['x-tag', 'b'],
        ],
        [request],
      );
      expect(seen).toEqual([['a', 'b']]);
    } finally {
      server.forceShutdown();
    }
  });
});
