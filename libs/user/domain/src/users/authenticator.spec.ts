import { openDatabase, type Database } from '@platform/db';
import { migrateEventTables } from '@platform/events';
import { Code, PageTokenCodec, PlatformError } from '@platform/core';
import { generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../credentials/login-throttle.js';
import { PasswordHasher } from '../credentials/password-hasher.js';
import { ServiceClients } from '../credentials/service-clients.js';
import { TokenIssuer } from '../tokens/token-issuer.js';
import { Authenticator } from './authenticator.js';
import { UserAccounts } from './user-accounts.js';
import { migrateUserDatabase } from './user-migrations.js';
import { userSchema, type UserSchema } from './user-schema.js';
import { PasswordCredentials } from '@platform/proto';

/** A hasher that records what each verification was asked to compare against. */
class RecordingHasher extends PasswordHasher {
  readonly verified: (string | undefined)[] = [];
  override verify(password: string, stored: string | undefined) {
    this.verified.push(stored);
    return super.verify(password, stored);
  }
}

async function rejection(promise: Promise<unknown>): Promise<PlatformError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

describe('Authenticator', () => {
  let db: Database<UserSchema>;
  let hasher: RecordingHasher;
  let authenticator: Authenticator;
  let accounts: UserAccounts;

  beforeEach(async () => {
    db = await openDatabase({ inMemory: true, schema: userSchema });
    await migrateUserDatabase(db);
    // Sign-up records UserCreated in the outbox.
    await migrateEventTables(db);
    hasher = new RecordingHasher({ cost: 1024, blockSize: 8, parallelization: 1 });
    accounts = new UserAccounts({ db, hasher, pageTokens: new PageTokenCodec({ key: randomBytes(32) }) });
    const { privateKey } = await generateKeyPair('EdDSA');
    authenticator = new Authenticator({
      db,
      hasher,
      throttle: new LoginThrottle(),
      serviceClients: new ServiceClients([]),
      issuer: new TokenIssuer({
        key: { kid: 'k1', alg: 'EdDSA', privateKey, publicJwk: { kty: 'OKP', kid: 'k1', alg: 'EdDSA' } },
        issuer: 'user.platform',
        audience: 'platform',
        ttlMs: 60_000,
      }),
    });
  });
  afterEach(() => db.close());

  describe('an unknown email', () => {
    it('still runs one full password verification, like a wrong password does, and fails the same way', async () => {
      await accounts.create({
        email: 'ada@example.com',
        password: 'Tr4in-ada-station-1',
        displayName: 'Ada',
      });
      hasher.verified.length = 0;

      const unknown = await rejection(
        authenticator.withPassword(
          PasswordCredentials.create({ email: 'nobody@example.com', password: 'Tr4in-ada-station-1' }),
          'ipv4:10.0.0.1:1',
        ),
      );
      const wrong = await rejection(
        authenticator.withPassword(
          PasswordCredentials.create({ email: 'ada@example.com', password: 'Tr4in-wrong-station' }),
          'ipv4:10.0.0.1:1',
        ),
      );

      expect(hasher.verified).toHaveLength(2);
      expect(hasher.verified[0]).toBeUndefined(); // verified against the dummy hash
      expect(hasher.verified[1]).toMatch(/^\$scrypt\$/);
      expect(unknown.code).toBe(Code.UNAUTHENTICATED);
      expect([unknown.message, unknown.code]).toEqual([wrong.message, wrong.code]);
    });
  });

  describe('an account hashed with older parameters', () => {
    it('signs in and stores a hash with the current parameters', async () => {
      const old = new PasswordHasher({ cost: 1024, blockSize: 4, parallelization: 1 });
      const legacy = new UserAccounts({
        db,
        hasher: old,
        pageTokens: new PageTokenCodec({ key: randomBytes(32) }),
      });
      const user = await legacy.create({
        email: 'old@example.com',
        password: 'Tr4in-old-station-1',
        displayName: 'Old',
      });
      await authenticator.withPassword(
        PasswordCredentials.create({ email: 'old@example.com', password: 'Tr4in-old-station-1' }),
        'peer',
      );
      const rows = await db.select().from(userSchema.users);
      expect(rows.map((row) => row.id)).toEqual([user.id]);
      expect(rows[0]?.passwordHash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    });
  });
});
