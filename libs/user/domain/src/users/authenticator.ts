import { readStatement, withTransaction, type Database } from '@platform/db';
import { FailedPreconditionError, InvalidArgumentError, UnauthenticatedError } from '@platform/core';
import {
  AuthenticateResponse,
  Role,
  toTimestamp,
  type AuthenticateRequest,
  type ClientCredentials,
  type PasswordCredentials,
} from '@platform/proto';
import type { LoginThrottle } from '../credentials/login-throttle.js';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import type { ServiceClients } from '../credentials/service-clients.js';
import type { TokenIssuer } from '../tokens/token-issuer.js';
import { roleMessageOf } from './user-message.js';
import { userRepository } from './user-repository.js';
import type { UserSchema } from './user-schema.js';

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  db: Database<UserSchema>;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  serviceClients: ServiceClients;
  issuer: TokenIssuer;
  /** Called when an account's stored hash was upgraded to the current scrypt parameters (or failed to be). */
  onRehash?: (userId: string, error?: unknown) => void;
}

/**
 * The one answer to every wrong credential, whether the account exists or not, so sign-in
 * cannot be used to find out which emails have accounts.
 */
function invalidCredentials(): UnauthenticatedError {
  return new UnauthenticatedError('The credentials are not valid', { reason: 'INVALID_CREDENTIALS' });
}

/**
 * Authenticate: exchanges a user's email and password, or a service's client credentials, for a
 * short-lived access token.
 * - Wrong password and unknown email give the same UNAUTHENTICATED answer in about the same
 *   time (an unknown email is hashed against a dummy hash).
 * - Failures are rate limited per email and per peer (RESOURCE_EXHAUSTED with RetryInfo).
 * - A deactivated account with the right password gets FAILED_PRECONDITION `USER_DEACTIVATED`:
 *   only someone who knows the password learns the account is deactivated.
 */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  /** Authenticate, by whichever credentials the request carries (the validator requires one). */
  authenticate(request: AuthenticateRequest, peer: string): Promise<AuthenticateResponse> {
    if (request.password) return this.withPassword(request.password, peer);
    if (request.client) return this.withClient(request.client, peer);
    throw new InvalidArgumentError('Set password or client credentials', [
      { field: 'credentials', description: 'set password or client credentials' },
    ]);
  }

  async withPassword(credentials: PasswordCredentials, peer: string): Promise<AuthenticateResponse> {
    const { db, hasher, throttle, issuer } = this.options;
    const attempt = { email: credentials.email, peer };
    throttle.assertAllowed(attempt);
    const account = await readStatement(db, (tx) => userRepository.findByEmail(tx, credentials.email.trim()));
    const { valid, needsRehash } = await hasher.verify(credentials.password, account?.passwordHash);
    if (!account || !valid) {
      throttle.recordFailure(attempt);
      throw invalidCredentials();
    }
    throttle.recordSuccess(attempt);
    if (account.status === 'deactivated') {
      throw new FailedPreconditionError(
        'The account is deactivated',
        [{ type: 'USER_STATUS', subject: `users/${account.id}`, description: 'the account is deactivated' }],
        { reason: 'USER_DEACTIVATED' },
      );
    }
    if (needsRehash) await this.rehash(account.id, credentials.password);
    const { token, expiresAt } = await issuer.issue({ subject: account.id, roles: [account.role] });
    return AuthenticateResponse.create({
      accessToken: token,
      expireTime: toTimestamp(new Date(expiresAt)),
      subject: account.id,
      roles: [roleMessageOf(account.role)],
    });
  }

  async withClient(credentials: ClientCredentials, peer: string): Promise<AuthenticateResponse> {
    const { throttle, serviceClients, issuer } = this.options;
    // Client ids share the throttle with emails under a prefix no email can have (emails hold no ':').
    const attempt = { email: `client:${credentials.clientId}`, peer };
    throttle.assertAllowed(attempt);
    const client = serviceClients.verify(credentials.clientId, credentials.clientSecret);
    if (!client) {
      throttle.recordFailure(attempt);
      throw invalidCredentials();
    }
    throttle.recordSuccess(attempt);
    const { token, expiresAt } = await issuer.issue({ subject: client.clientId, roles: ['service'] });
    return AuthenticateResponse.create({
      accessToken: token,
      expireTime: toTimestamp(new Date(expiresAt)),
      subject: client.clientId,
      roles: [Role.ROLE_SERVICE],
    });
  }

  /** Upgrades a stored hash to the current parameters; a failure never fails the sign-in. */
  private async rehash(userId: string, password: string): Promise<void> {
    const { db, hasher, onRehash } = this.options;
    try {
      const passwordHash = await hasher.hash(password);
      await withTransaction(db, (tx) => userRepository.update(tx, userId, { passwordHash }));
      onRehash?.(userId);
    } catch (error) {
      onRehash?.(userId, error);
    }
  }
}
