import { databaseVariables } from '@platform/db';
import { kafkaVariables } from '@platform/events';
import { grpcServerVariables } from '@platform/grpc';
import {
  defineConfig,
  duration,
  filePath,
  integer,
  oneOf,
  positiveInt,
  secret,
  type Config,
} from '@platform/config';
import { servingVariables } from '@platform/service';
import * as z from 'zod';

/**
 * The user service's configuration: environment variables, validated at start (a bad one stops
 * the process with exit code 78 and a message naming it). The README lists them with examples.
 */
export const userServiceConfig = defineConfig({
  ...servingVariables('USER', {
    grpcPort: 50_051,
    metricsPort: 9_464,
    dataDir: '.data/user-service',
    ratePerSecond: 200,
    burst: 400,
  }),
  /** Address the gRPC server listens on; `0.0.0.0` in containers, any IP (replicas on 127.0.0.2 …). */
  USER_GRPC_HOST: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
  ...databaseVariables,
  ...kafkaVariables,

  /** `iss` of the access tokens this service signs. */
  AUTH_ISSUER: z.string().default('user.platform'),
  /** `aud` of the access tokens: every service of the platform accepts this audience. */
  AUTH_AUDIENCE: z.string().default('platform'),
  AUTH_TOKEN_TTL: duration({ minMs: 60_000, maxMs: 86_400_000 }).default(900_000),
  /** Private signing key (a private JWK). Unset: generated at first start in USER_DATA_DIR/keys. */
  AUTH_SIGNING_KEY_FILE: filePath().optional(),
  /** Where the public key set is written for the other services' JwtVerifier. */
  AUTH_JWKS_FILE: filePath({ mustExist: false }).default('.data/auth/jwks.json'),
  /** Client credentials of service principals: `order-service:<secret>,fulfillment-worker:<secret>`. */
  AUTH_SERVICE_CLIENTS: secret().optional(),

  /** scrypt N (a power of two), r and p of new password hashes; existing hashes are upgraded at sign-in. */
  PASSWORD_SCRYPT_COST: positiveInt().default(32_768),
  PASSWORD_SCRYPT_BLOCK_SIZE: positiveInt().default(8),
  PASSWORD_SCRYPT_PARALLELIZATION: positiveInt().default(1),
  PASSWORD_MIN_LENGTH: integer({ min: 8, max: 64 }).default(12),

  /** Failed sign-ins per account, then per client address, within the window before RESOURCE_EXHAUSTED. */
  AUTH_LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt().default(5),
  AUTH_LOGIN_MAX_FAILURES_PER_PEER: positiveInt().default(50),
  AUTH_LOGIN_FAILURE_WINDOW: duration({ minMs: 1_000 }).default(900_000),

  /** An admin account created at start when no account has this email (local runs). */
  BOOTSTRAP_ADMIN_EMAIL: z.string().optional(),
  BOOTSTRAP_ADMIN_PASSWORD: secret().optional(),

  ...grpcServerVariables,
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export type UserServiceConfig = Config<typeof userServiceConfig>;
