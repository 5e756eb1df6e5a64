// Sign-in through real gRPC calls: access tokens and the published key set, service principals,
// answers that do not reveal which emails have accounts, and throttling of repeated failures.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { pgliteTarget } from '@platform/db/testing';
import { JwtVerifier } from '@platform/grpc';
import { expectGrpcError } from '@platform/grpc/testing';
import { AuthenticateRequest, GetUserRequest, ListUsersRequest, Role } from '@platform/proto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asUser,
  startUserServiceOn,
  strongPassword,
  type UserServiceHarness,
} from './__fixtures__/user-service-harness.js';

describe('Authenticate', () => {
  let harness: UserServiceHarness;

  beforeAll(async () => {
    harness = await startUserServiceOn(pgliteTarget);
  });
  afterAll(() => harness?.dispose());

  describe('with a password', () => {
    it('issues a short-lived EdDSA token that verifies against the published key set', async () => {
      const alice = await harness.signUp();
      const response = await harness.signIn(alice.user.email.toUpperCase(), alice.password);
      const header = decodeProtectedHeader(response.accessToken);
      const claims = decodeJwt(response.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
      expect(header.kid).toMatch(/^[\w-]{43}$/);
      expect(claims).toMatchObject({
        iss: 'user.platform',
        aud: 'platform',
        sub: alice.user.id,
        roles: ['user'],
      });
      expect(Number(claims.exp) - Number(claims.iat)).toBe(15 * 60);
      expect(response).toMatchObject({ subject: alice.user.id, roles: [Role.ROLE_USER] });
      expect(Number(response.expireTime?.seconds)).toBe(claims.exp);

      // What another service does with the JWKS file the user service wrote.
      const verifier = new JwtVerifier({
        jwksFile: harness.service.jwksFile,
        issuer: 'user.platform',
        audience: 'platform',
      });
      await expect(verifier.verify(response.accessToken)).resolves.toMatchObject({
        subject: alice.user.id,
        kind: 'user',
        roles: ['user'],
      });
    });

    it('keeps the generated private key owner-only and publishes only public keys', async () => {
      const keyFile = join(harness.dataDir, 'keys', 'signing-key.json');
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const jwks = JSON.parse(await readFile(harness.service.jwksFile, 'utf8')) as {
        keys: Record<string, unknown>[];
      };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    it('gives a wrong password and an unknown email the same UNAUTHENTICATED answer', async () => {
      const alice = await harness.signUp();
      const wrongPassword = await expectGrpcError(
        harness.signIn(alice.user.email, strongPassword()),
        GrpcStatus.UNAUTHENTICATED,
      );
      const unknownEmail = await expectGrpcError(
        harness.signIn('nobody-here@example.com', strongPassword()),
        GrpcStatus.UNAUTHENTICATED,
      );
      expect(unknownEmail.details).toBe(wrongPassword.details);
      expect(unknownEmail.statusDetails).toEqual(wrongPassword.statusDetails);
      expect(wrongPassword.statusDetails.errorInfo?.reason).toBe('INVALID_CREDENTIALS');
    });

    it('throttles repeated failures for an email with RESOURCE_EXHAUSTED and RetryInfo, even with the right password then', async () => {
      const alice = await harness.signUp();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        await expectGrpcError(harness.signIn(alice.user.email, strongPassword()), GrpcStatus.UNAUTHENTICATED);
      }
      const throttled = await expectGrpcError(
        harness.signIn(alice.user.email, alice.password),
        GrpcStatus.RESOURCE_EXHAUSTED,
      );
      expect(throttled.statusDetails.errorInfo?.reason).toBe('LOGIN_THROTTLED');
      const retryDelay = throttled.statusDetails.retryInfo?.retryDelay;
      expect(Number(retryDelay?.seconds ?? 0) * 1000 + (retryDelay?.nanos ?? 0) / 1e6).toBeGreaterThan(0);
      // Other accounts are not locked out by Alice's attacker.
      const bob = await harness.signUp();
      await expect(harness.signIn(bob.user.email, bob.password)).resolves.toMatchObject({
        subject: bob.user.id,
      });
    });
  });

  it('throttles a client address that fails across many accounts', async () => {
    const throttled = await startUserServiceOn(pgliteTarget, {
      env: { AUTH_LOGIN_MAX_FAILURES_PER_PEER: '3' },
    });
    try {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await expectGrpcError(
          throttled.signIn(`guess-${attempt}@example.com`, strongPassword()),
          GrpcStatus.UNAUTHENTICATED,
        );
      }
      const error = await expectGrpcError(
        throttled.signIn('guess-4@example.com', strongPassword()),
        GrpcStatus.RESOURCE_EXHAUSTED,
      );
      expect(error.statusDetails.quotaFailure?.violations.map((violation) => violation.subject)).toEqual([
        'peer',
      ]);
    } finally {
      await throttled.dispose();
    }
  });

  describe('with client credentials (service principals)', () => {
    it('issues a service token that may read any user', async () => {
      const alice = await harness.signUp();
      const response = await harness.users.authenticate(
        AuthenticateRequest.create({
          client: {
            clientId: harness.secrets.serviceClientId,
            clientSecret: harness.secrets.serviceClientSecret,
          },
        }),
      );
      expect(response).toMatchObject({ subject: 'order-service', roles: [Role.ROLE_SERVICE] });
      expect(decodeJwt(response.accessToken)).toMatchObject({ sub: 'order-service', roles: ['service'] });
      const { user } = await harness.users.getUser(
        GetUserRequest.create({ userId: alice.user.id }),
        asUser(response.accessToken),
      );
      expect(user?.id).toBe(alice.user.id);
      // A service is not an admin.
      await expectGrpcError(
        harness.users.listUsers(
          ListUsersRequest.create({ pageSize: 1, pageToken: '' }),
          asUser(response.accessToken),
        ),
        GrpcStatus.PERMISSION_DENIED,
      );
    });

    it('refuses a wrong secret or an unknown client with the same UNAUTHENTICATED answer', async () => {
      const wrongSecret = await expectGrpcError(
        harness.users.authenticate(
          AuthenticateRequest.create({
            client: { clientId: 'order-service', clientSecret: 'x'.repeat(32) },
          }),
        ),
        GrpcStatus.UNAUTHENTICATED,
      );
      const unknownClient = await expectGrpcError(
        harness.users.authenticate(
          AuthenticateRequest.create({
            client: {
              clientId: 'nobody',
              clientSecret: harness.secrets.serviceClientSecret,
            },
          }),
        ),
        GrpcStatus.UNAUTHENTICATED,
      );
      expect(unknownClient.statusDetails).toEqual(wrongSecret.statusDetails);
    });
  });

  it('refuses a token signed by another key, and a forged role', async () => {
    const alice = await harness.signUp();
    const [header, payload, signature] = alice.token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, roles: ['admin'] })).toString('base64url')}.${signature}`;
    const error = await expectGrpcError(
      harness.users.listUsers(ListUsersRequest.create({ pageSize: 1, pageToken: '' }), asUser(forged)),
      GrpcStatus.UNAUTHENTICATED,
    );
    expect(error.statusDetails.errorInfo?.reason).toBe('TOKEN_INVALID');
  });
});
