import { PageTokenCodec } from '@platform/core';
import { anyOf, infrastructureMethods, JwtVerifier, methodsIn, not } from '@platform/grpc';
import { grpcServiceModule } from '@platform/nest';
import { protoFiles, serviceNames } from '@platform/proto';
import {
  grpcAddressOf,
  openDatabaseOf,
  rateLimitOf,
  startService,
  type DatabaseLocation,
  type RunningService,
  type ServingDefinition,
  type StartServiceOptions,
} from '@platform/service';
import {
  Authenticator,
  LoginThrottle,
  loadSigningKey,
  migrateUserDatabase,
  orderStatsGroup,
  orderStatsProjection,
  PasswordHasher,
  TokenIssuer,
  UserAccounts,
  userRequestValidators,
  userSchema,
  writeJwks,
  type UserSchema,
} from '@platform/user-domain';
import { join, resolve } from 'node:path';
import { resolveUserServiceSettings } from './user-service-settings.js';
import type { UserServiceConfig } from './user-service.config.js';
import { UserController } from './user.controller.js';

/** A started user service: the gRPC app, the event layer, and where the public key set was written. */
export type RunningUserService = RunningService<{ readonly jwksFile: string }>;

const userServicePath = (method: string) => `/${serviceNames.user}/${method}`;

/**
 * The user service's own parts on the service runtime: keys (generated at first start when not
 * configured; the public set written for the other services), accounts and sign-in, the
 * bootstrap admin, the order-stats projection and its server chain.
 */
export const userService: ServingDefinition<UserServiceConfig, UserSchema, { jwksFile: string }> = {
  name: 'user-service',
  dataDir: (config) => config.USER_DATA_DIR,
  database: { schema: userSchema, migrate: migrateUserDatabase },
  async wire({ config, logger, db, keysDir, key }) {
    const settings = resolveUserServiceSettings(config);
    const signing = await loadSigningKey({
      file: config.AUTH_SIGNING_KEY_FILE ?? join(keysDir, 'signing-key.json'),
      create: !config.AUTH_SIGNING_KEY_FILE,
    });
    const jwksFile = resolve(config.AUTH_JWKS_FILE);
    await writeJwks(jwksFile, [signing.key]);
    logger.info({ kid: signing.key.kid, generated: signing.created, jwksFile }, 'signing key ready');

    const hasher = new PasswordHasher(settings.scrypt);
    const pageTokens = new PageTokenCodec({ key: await key('page-token.key', config.USER_PAGE_TOKEN_KEY) });
    const accounts = new UserAccounts({ db, hasher, pageTokens });
    const authenticator = new Authenticator({
      db,
      hasher,
      throttle: new LoginThrottle({
        maxFailuresPerAccount: config.AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxFailuresPerPeer: config.AUTH_LOGIN_MAX_FAILURES_PER_PEER,
        windowMs: config.AUTH_LOGIN_FAILURE_WINDOW,
      }),
      serviceClients: settings.serviceClients,
      issuer: new TokenIssuer({
        key: signing.key,
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        ttlMs: config.AUTH_TOKEN_TTL,
      }),
      onRehash: (userId, error) =>
        error
          ? logger.warn({ err: error, userId }, 'password hash upgrade failed')
          : logger.info({ userId }, 'password hash upgraded to the current parameters'),
    });
    if (settings.bootstrapAdmin) {
      const created = await accounts.ensureAdmin({
        ...settings.bootstrapAdmin,
        displayName: 'Administrator',
      });
      logger.info({ email: settings.bootstrapAdmin.email, created }, 'bootstrap admin ready');
    }
    return {
      own: { jwksFile },
      consumers: [{ group: orderStatsGroup, db, handlers: orderStatsProjection() }],
      grpc: {
        service: serviceNames.user,
        module: grpcServiceModule({
          controllers: [UserController],
          providers: [
            { provide: UserAccounts, useValue: accounts },
            { provide: Authenticator, useValue: authenticator },
          ],
        }),
        package: 'platform.user.v1',
        protoPath: protoFiles.userService,
        ...grpcAddressOf(config, 'USER'),
        // Requests are small; a 1 MiB cap keeps a hostile client from making us buffer more.
        channelOptions: {
          'grpc.max_receive_message_length': 1024 * 1024,
        },
        chain: {
          errors: { domain: 'user.platform' },
          auth: {
            verifier: new JwtVerifier({
              jwks: { keys: [signing.key.publicJwk] },
              issuer: config.AUTH_ISSUER,
              audience: config.AUTH_AUDIENCE,
            }),
            selector: not(
              anyOf(
                infrastructureMethods,
                methodsIn(userServicePath('CreateUser'), userServicePath('Authenticate')),
              ),
            ),
          },
          rateLimit: rateLimitOf(config, 'USER'),
          validation: { validators: userRequestValidators(settings.passwordPolicy) },
        },
      },
    };
  },
};

/** Starts the user service (tests and the dev runner start it in-process). */
export function startUserService(
  config: UserServiceConfig,
  options: StartServiceOptions,
): Promise<RunningUserService> {
  return startService(userService, config, options);
}

/** Opens the user service's database where the configuration (or `location`) says. */
export function openUserDatabase(config: UserServiceConfig, location?: DatabaseLocation) {
  return openDatabaseOf(userService, config, location);
}
