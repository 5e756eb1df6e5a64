import * as grpc from '@grpc/grpc-js';
import { statusFromMetadata } from '@platform/proto';
import { startGrpcServer, type RunningGrpcServer } from '@platform/testing';
import { SignJWT } from 'jose';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { currentScope, type Principal } from '@platform/core';
import { contextInterceptor } from '../context/context.interceptor.js';
import { errorInterceptor } from '../errors/error.interceptor.js';
import { methodsIn, not } from '../../call/method-selector.js';
import {
  callEcho,
  EchoClient,
  echoImplementation,
  echoKinds,
  echoServiceDefinition,
  echoServiceName,
} from './__fixtures__/echo-service.js';
import {
  createTestKey,
  rawToken,
  signToken,
  testAudience,
  testIssuer,
  type TestKey,
} from './__fixtures__/tokens.js';
import { authServerInterceptor } from './auth.interceptor.js';
import type { AuthServerOptions, TokenVerifier } from './auth-options.js';
import { JwtVerifier, type JwtVerifierOptions } from './jwt-verifier.js';
import { currentPrincipal, requirePrincipal } from './principal.js';
import { UnauthenticatedError } from '@platform/core';

interface Harness {
  client: EchoClient;
  calls: { count: number };
  server: RunningGrpcServer;
}

const running: Harness[] = [];

/** A real server: context + error({domain:'test.platform'}) + auth, in chain order. */
async function startAuthServer(options: AuthServerOptions): Promise<Harness> {
  const calls = { count: 0 };
  const server = await startGrpcServer({
    services: [{ definition: echoServiceDefinition, implementation: echoImplementation(calls) }],
    interceptors: [
      contextInterceptor,
      errorInterceptor({ domain: 'test.platform' }),
      authServerInterceptor(options),
    ],
  });
  const harness = {
    client: new EchoClient(server.address, grpc.credentials.createInsecure()),
    calls,
    server,
  };
  running.push(harness);
  return harness;
}

afterEach(async () => {
  for (const harness of running.splice(0)) {
    harness.client.close();
    await harness.server.stop();
  }
});

function bearer(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** The failure of a call, with its google.rpc.Status decoded from grpc-status-details-bin. */
async function failure(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (caught: grpc.ServiceError) => caught,
  );
  const status = statusFromMetadata(error.metadata);
  return {
    code: error.code,
    message: error.details,
    reason: status?.details.errorInfo?.reason,
    domain: status?.details.errorInfo?.domain,
    errorMetadata: status?.details.errorInfo?.metadata,
  };
}

/** Verifier options over one key, as a JWKS object. */
function jwksOptions(keys: TestKey[], extra: Partial<JwtVerifierOptions> = {}): JwtVerifierOptions {
  return {
    jwks: { keys: keys.map((key) => key.publicJwk) },
    issuer: testIssuer,
    audience: testAudience,
    ...extra,
  } as JwtVerifierOptions;
}

/** Counts verifications that reach the wrapped verifier (signature checks). */
function counting(verifier: TokenVerifier): TokenVerifier & { count: number } {
  const wrapped = {
    count: 0,
    verify: (token: string) => {
      wrapped.count += 1;
      return verifier.verify(token);
    },
  };
  return wrapped;
}

let key: TestKey;
let otherKeySameKid: TestKey;

beforeAll(async () => {
  key = await createTestKey('key-1');
  otherKeySameKid = await createTestKey('key-1');
});

describe('authServerInterceptor: valid tokens', () => {
  it.each(echoKinds)(
    'lets a %s call with a valid token through; the handler sees the principal',
    async (kind) => {
      const { client, calls } = await startAuthServer({ verifier: new JwtVerifier(jwksOptions([key])) });
      const token = await signToken(key, { subject: 'user-42', roles: ['user', 'admin'] });

      const replies = await callEcho(client, kind, { metadata: bearer(token), texts: ['a', 'b'] });

      expect(calls.count).toBe(1);
      expect(replies.length).toBeGreaterThan(0);
      for (const reply of replies) {
        expect(reply).toMatchObject({ subject: 'user-42', kind: 'user', roles: ['user', 'admin'] });
      }
    },
  );

  it('marks principals with the service role as services', async () => {
    const { client } = await startAuthServer({ verifier: new JwtVerifier(jwksOptions([key])) });
    const token = await signToken(key, { subject: 'order-service', roles: ['service'] });

    const [reply] = await callEcho(client, 'unary', { metadata: bearer(token) });

    expect(reply).toMatchObject({ subject: 'order-service', kind: 'service', roles: ['service'] });
  });

  it('keeps the token and its expiry on the principal (for forwarding)', async () => {
    const verifier = new JwtVerifier(jwksOptions([key]));
    const expiresAt = Math.floor(Date.now() / 1000) + 300;
    const token = await signToken(key, { expiresAt });

    const principal = await verifier.verify(token);

    expect(principal).toEqual({
      subject: 'user-1',
      kind: 'user',
      roles: ['user'],
      token,
      expiresAt: expiresAt * 1000,
    });
  });
});

describe('authServerInterceptor: rejected tokens', () => {
  let harness: Harness;
  beforeAll(async () => {
    // One server for the rejection cases (not registered for afterEach: closed in afterAll).
    const calls = { count: 0 };
    const server = await startGrpcServer({
      services: [{ definition: echoServiceDefinition, implementation: echoImplementation(calls) }],
      interceptors: [
        contextInterceptor,
        errorInterceptor({ domain: 'test.platform' }),
        authServerInterceptor({ verifier: new JwtVerifier(jwksOptions([key])) }),
      ],
    });
    harness = { client: new EchoClient(server.address, grpc.credentials.createInsecure()), calls, server };
  });
  afterAll(async () => {
    harness.client.close();
    await harness.server.stop();
  });

  /** Every call kind with this authorization fails UNAUTHENTICATED with `reason`, before the handler. */
  async function expectRejected(authorization: string | undefined, reason: string) {
    const before = harness.calls.count;
    for (const kind of echoKinds) {
      const metadata = new grpc.Metadata();
      if (authorization !== undefined) metadata.set('authorization', authorization);
      const result = await failure(callEcho(harness.client, kind, { metadata }));
      expect(result, kind).toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
        reason,
        domain: 'test.platform',
      });
      const token = authorization?.replace(/^\S+\s*/, '') ?? '';
      if (token.length > 16) expect(result.message).not.toContain(token);
    }
    expect(harness.calls.count).toBe(before);
  }

  it('rejects a forged signature (another key with the same kid)', async () => {
    const forged = await signToken(otherKeySameKid, { roles: ['admin'] });
    await expectRejected(`Bearer ${forged}`, 'TOKEN_INVALID');
  });

  it('rejects an alg: none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = rawToken(
      { alg: 'none', kid: key.kid },
      { sub: 'user-1', roles: ['admin'], iss: testIssuer, aud: testAudience, exp: now + 600 },
    );
    await expectRejected(`Bearer ${unsigned}`, 'TOKEN_ALGORITHM_REJECTED');
  });

  it('rejects an HS256 token signed with the public key bytes (algorithm confusion)', async () => {
    const publicKeyBytes = Buffer.from(key.publicJwk.x ?? '', 'base64url');
    expect(publicKeyBytes).toHaveLength(32);
    const hmac = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setSubject('user-1')
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .setExpirationTime('10m')
      .sign(publicKeyBytes);
    await expectRejected(`Bearer ${hmac}`, 'TOKEN_ALGORITHM_REJECTED');
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signToken(key, { expiresAt: now - 120, now: (now - 600) * 1000 });
    await expectRejected(`Bearer ${expired}`, 'TOKEN_EXPIRED');
  });

  it('rejects a token that is not valid yet', async () => {
    const now = Math.floor(Date.now() / 1000);
    const early = await signToken(key, { notBefore: now + 120, expiresAt: now + 600 });
    await expectRejected(`Bearer ${early}`, 'TOKEN_NOT_YET_VALID');
  });

  it('rejects a token for another audience', async () => {
    const token = await signToken(key, { audience: 'billing.platform' });
    await expectRejected(`Bearer ${token}`, 'TOKEN_AUDIENCE_MISMATCH');
  });

  it('rejects a token from another issuer', async () => {
    const token = await signToken(key, { issuer: 'https://evil.example' });
    await expectRejected(`Bearer ${token}`, 'TOKEN_ISSUER_MISMATCH');
  });

  it('rejects a token signed with an unknown kid', async () => {
    const stranger = await createTestKey('key-unknown');
    await expectRejected(`Bearer ${await signToken(stranger)}`, 'TOKEN_KEY_UNKNOWN');
  });

  it('rejects a call without a token', async () => {
    await expectRejected(undefined, 'TOKEN_MISSING');
  });

  // (`Bearer ` with a trailing space never reaches the server: grpc-js drops the value, so
  // that call is TOKEN_MISSING.)
  it.each(['Bearer', 'Basic x', 'Bearer a b', 'bearer-token', 'Token abc.def.ghi'])(
    'rejects a malformed authorization header (%j)',
    async (authorization) => {
      await expectRejected(authorization, 'TOKEN_MALFORMED');
    },
  );

  it('rejects a token that is not a JWS', async () => {
    await expectRejected('Bearer not-a-jwt', 'TOKEN_MALFORMED');
  });

  it('rejects a token without kid', async () => {
    const token = await signToken(key, { header: { kid: undefined } });
    await expectRejected(`Bearer ${token}`, 'TOKEN_MALFORMED');
  });

  it('rejects a token without roles', async () => {
    const token = await signToken(key, { claims: { roles: 'admin' } });
    await expectRejected(`Bearer ${token}`, 'TOKEN_INVALID');
  });
});

describe('authServerInterceptor: roles and public methods', () => {
  it.each(echoKinds)('answers PERMISSION_DENIED to a %s call without a required role', async (kind) => {
    const { client, calls } = await startAuthServer({
      verifier: new JwtVerifier(jwksOptions([key])),
      requiredRoles: { [echoServiceName]: ['admin', 'support'] },
    });
    const token = await signToken(key, { roles: ['user'] });

    const result = await failure(callEcho(client, kind, { metadata: bearer(token) }));

    expect(result).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      reason: 'ROLE_REQUIRED',
      domain: 'test.platform',
      // As the contracts spell roles; one platform.user.v1.Role lacks keeps the token's spelling.
      errorMetadata: { requiredRoles: 'ROLE_ADMIN,support' },
    });
    expect(calls.count).toBe(0);
  });

  it('lets a principal holding any of the required roles through; a path entry wins over the service', async () => {
    const { client } = await startAuthServer({
      verifier: new JwtVerifier(jwksOptions([key])),
      requiredRoles: {
        [echoServiceName]: ['admin'],
        [echoServiceDefinition.Unary.path]: ['user', 'support'],
      },
    });
    const token = await signToken(key, { roles: ['support'] });

    await expect(callEcho(client, 'unary', { metadata: bearer(token) })).resolves.toHaveLength(1);
    const result = await failure(callEcho(client, 'bidi', { metadata: bearer(token) }));
    expect(result).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      errorMetadata: { requiredRoles: 'ROLE_ADMIN' },
    });
  });

  it('takes required roles from a function of the method', async () => {
    const { client } = await startAuthServer({
      verifier: new JwtVerifier(jwksOptions([key])),
      requiredRoles: (method) => (method.type === 'server_stream' ? ['admin'] : undefined),
    });
    const token = await signToken(key, { roles: ['user'] });

    await expect(callEcho(client, 'unary', { metadata: bearer(token) })).resolves.toHaveLength(1);
    expect(await failure(callEcho(client, 'serverStream', { metadata: bearer(token) }))).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it('skips methods the selector leaves out: no token needed, no principal', async () => {
    const { client, calls } = await startAuthServer({
      verifier: new JwtVerifier(jwksOptions([key])),
      selector: not(methodsIn(echoServiceDefinition.Unary.path)),
    });

    const [reply] = await callEcho(client, 'unary');

    expect(reply).toMatchObject({ subject: null });
    expect(calls.count).toBe(1);
    expect(await failure(callEcho(client, 'bidi'))).toMatchObject({ reason: 'TOKEN_MISSING' });
  });

  it('requirePrincipal() throws UNAUTHENTICATED outside an authenticated call; currentPrincipal() is undefined', () => {
    expect(currentPrincipal()).toBeUndefined();
    expect(() => requirePrincipal()).toThrow(UnauthenticatedError);
    try {
      requirePrincipal();
    } catch (error) {
      expect(error).toMatchObject({ code: grpc.status.UNAUTHENTICATED, reason: 'TOKEN_MISSING' });
    }
  });
});

describe('authServerInterceptor: verified-token cache', () => {
  it('does not verify the signature again for a cached token', async () => {
    const verifier = counting(new JwtVerifier(jwksOptions([key])));
    const { client } = await startAuthServer({ verifier });
    const token = await signToken(key);

    for (const kind of echoKinds) await callEcho(client, kind, { metadata: bearer(token) });

    expect(verifier.count).toBe(1);
  });

  it('shares one verification between concurrent calls with the same token', async () => {
    const verifier = counting(new JwtVerifier(jwksOptions([key])));
    const { client } = await startAuthServer({ verifier });
    const token = await signToken(key);

    await Promise.all(
      Array.from({ length: 10 }, () => callEcho(client, 'unary', { metadata: bearer(token) })),
    );

    expect(verifier.count).toBe(1);
  });

  it('rejects a cached token once it has expired', async () => {
    let now = Date.now();
    const clock = () => now;
    const verifier = counting(new JwtVerifier(jwksOptions([key], { clock })));
    const { client } = await startAuthServer({ verifier, clock });
    const token = await signToken(key, { now, expiresAt: Math.floor(now / 1000) + 60 });

    await callEcho(client, 'unary', { metadata: bearer(token) });
    now += 30_000;
    await callEcho(client, 'unary', { metadata: bearer(token) });
    expect(verifier.count).toBe(1);

    now += 31_000 + 30_000; // past exp and the clock tolerance
    const result = await failure(callEcho(client, 'unary', { metadata: bearer(token) }));
    expect(result).toMatchObject({ code: grpc.status.UNAUTHENTICATED, reason: 'TOKEN_EXPIRED' });
  });

  it('is bounded: least recently used tokens are verified again', async () => {
    const verifier = counting(new JwtVerifier(jwksOptions([key])));
    const { client } = await startAuthServer({ verifier, cacheSize: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((subject) => signToken(key, { subject })));
    const tokens = [a ?? '', b ?? '', c ?? ''];

    for (const token of tokens) await callEcho(client, 'unary', { metadata: bearer(token) });
    await callEcho(client, 'unary', { metadata: bearer(tokens[2] ?? '') });
    expect(verifier.count).toBe(3);
    await callEcho(client, 'unary', { metadata: bearer(tokens[0] ?? '') });
    expect(verifier.count).toBe(4);
  });
});

describe('authServerInterceptor: asynchronous verification', () => {
  /** A verifier that answers when the test says so. */
  function gatedVerifier() {
    const waiting: (() => void)[] = [];
    // The signal of each call being verified (the verifier runs in the call's scope).
    const signals: (AbortSignal | undefined)[] = [];
    const verifier: TokenVerifier = {
      verify: (token) => {
        signals.push(currentScope()?.signal);
        return new Promise<Principal>((resolve) =>
          waiting.push(() =>
            resolve({ subject: token, kind: 'user', roles: ['user'], expiresAt: Date.now() + 60_000 }),
          ),
        );
      },
    };
    return {
      verifier,
      waiting,
      signals,
      release: () => {
        for (const resolve of waiting.splice(0)) resolve();
      },
    };
  }

  it.each(['clientStream', 'bidi'] as const)(
    'holds every %s message until verification resolves, then delivers them in order',
    async (kind) => {
      const gate = gatedVerifier();
      const { client } = await startAuthServer({ verifier: gate.verifier });

      const call = callEcho(client, kind, { metadata: bearer('user-7'), texts: ['a', 'b', 'c'] });
      await expect.poll(() => gate.waiting.length).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      gate.release();
      const replies = await call;

      expect(replies.map((reply) => reply.text).join(',')).toBe('a,b,c');
      expect(replies[0]).toMatchObject({ subject: 'user-7' });
    },
  );

  it('does nothing for a call cancelled during verification', async () => {
    const gate = gatedVerifier();
    const { client, calls } = await startAuthServer({ verifier: gate.verifier });

    const call = client.makeUnaryRequest(
      echoServiceDefinition.Unary.path,
      echoServiceDefinition.Unary.requestSerialize,
      echoServiceDefinition.Unary.responseDeserialize,
      { text: 'x' },
      bearer('user-8'),
      () => undefined,
    );
    await expect.poll(() => gate.waiting.length).toBe(1);
    call.cancel();
    // Released once the server saw the cancel (a fixed pause is a timing a loaded runner misses).
    await expect.poll(() => gate.signals[0]?.aborted).toBe(true);
    gate.release();

    // The server still serves, and only the next call reaches the handler.
    const next = callEcho(client, 'unary', { metadata: bearer('user-9') });
    await expect.poll(() => gate.waiting.length).toBe(1);
    gate.release();
    await expect(next).resolves.toHaveLength(1);
    expect(calls.count).toBe(1);
  });

  it('fails INTERNAL, without detail, when the verifier itself breaks', async () => {
    const { client, calls } = await startAuthServer({
      verifier: { verify: () => Promise.reject(new Error('database password is hunter2')) },
    });

    const result = await failure(callEcho(client, 'unary', { metadata: bearer('abc') }));

    expect(result).toMatchObject({ code: grpc.status.INTERNAL, reason: 'INTERNAL' });
    expect(result.errorMetadata?.['errorId']).toBeTruthy();
    expect(result.message).not.toContain('hunter2');
    expect(calls.count).toBe(0);
  });
});

describe('JwtVerifier: JWKS file rotation', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jwks-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('picks up a new kid and drops a removed one without a restart (re-reads rate-limited)', async () => {
    const file = join(dir, 'rotation.json');
    const oldKey = await createTestKey('2024-01');
    const newKey = await createTestKey('2024-02');
    await writeFile(file, JSON.stringify({ keys: [oldKey.publicJwk] }));
    let now = Date.now();
    const clock = () => now;
    const verifier = new JwtVerifier({
      jwksFile: file,
      jwksFileRefreshIntervalMs: 5_000,
      issuer: testIssuer,
      audience: testAudience,
      clock,
    });
    const { client } = await startAuthServer({ verifier, clock });
    const call = async (signer: TestKey, subject: string) =>
      callEcho(client, 'unary', { metadata: bearer(await signToken(signer, { subject, now })) });

    await expect(call(oldKey, 'a')).resolves.toMatchObject([{ subject: 'a' }]);

    // Rotation: the new key is published. Within the refresh interval the file is not read again.
    await writeFile(file, JSON.stringify({ keys: [oldKey.publicJwk, newKey.publicJwk] }));
    expect(await failure(call(newKey, 'b'))).toMatchObject({ reason: 'TOKEN_KEY_UNKNOWN' });
    now += 5_000;
    await expect(call(newKey, 'c')).resolves.toMatchObject([{ subject: 'c' }]);

    // The old key is withdrawn: new tokens signed with it are refused after the next check.
    await writeFile(file, JSON.stringify({ keys: [newKey.publicJwk] }));
    now += 5_000;
    expect(await failure(call(oldKey, 'd'))).toMatchObject({ reason: 'TOKEN_KEY_UNKNOWN' });
    await expect(call(newKey, 'e')).resolves.toMatchObject([{ subject: 'e' }]);
  });

  it('verifies every one of a burst of first calls (they wait for the one first read)', async () => {
    const file = join(dir, 'burst.json');
    await writeFile(file, JSON.stringify({ keys: [key.publicJwk] }));
    const verifier = new JwtVerifier({ jwksFile: file, issuer: testIssuer, audience: testAudience });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, (_, index) => signToken(key, { subject: `u${index}` })),
    );
    const principals = await Promise.all(tokens.map((token) => verifier.verify(token)));
    expect(principals.map((principal) => principal.subject)).toEqual(
      tokens.map((_token, index) => `u${index}`),
    );
  });

  it('keeps the previous keys when the file is rewritten with garbage', async () => {
    const file = join(dir, 'garbage.json');
    await writeFile(file, JSON.stringify({ keys: [key.publicJwk] }));
    let now = Date.now();
    const verifier = new JwtVerifier({
      jwksFile: file,
      issuer: testIssuer,
      audience: testAudience,
      clock: () => now,
    });
    await expect(verifier.verify(await signToken(key, { subject: 'a', now }))).resolves.toMatchObject({
      subject: 'a',
    });

    await writeFile(file, '{"keys": [');
    now += 60_000;
    await expect(verifier.verify(await signToken(key, { subject: 'b', now }))).resolves.toMatchObject({
      subject: 'b',
    });
  });

  it('fails (not as a bad token) when the file cannot be read at all', async () => {
    const verifier = new JwtVerifier({
      jwksFile: join(dir, 'missing.json'),
      issuer: testIssuer,
      audience: testAudience,
    });
    const error = await verifier.verify(await signToken(key)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toContain('could not be loaded');
  });
});
