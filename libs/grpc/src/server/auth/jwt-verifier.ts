import { decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTHeaderParameters } from 'jose';
import type { Principal } from '@platform/core';
import { PlatformError } from '@platform/core';
import { AuthErrorReason } from '../../call/auth-errors.js';
import type { TokenVerifier } from './auth-options.js';
import { authError, type UnauthenticatedReason } from '../../call/auth-errors.js';
import {
  JwksFileKeyStore,
  KeyAlgorithmMismatch,
  StaticKeyStore,
  supportedAlgorithms,
  type KeyStore,
  type VerificationKey,
} from './key-store.js';

/** Where a {@link JwtVerifier} finds its public keys: exactly one of the three. */
export type JwtKeySource =
  | { /** A JSON Web Key Set, as an object. */ jwks: JSONWebKeySet; jwksFile?: never; keys?: never }
  | {
      /** Path of a JWKS file, re-read when it changes or a token names an unknown `kid`. */
      jwksFile: string;
      /** Least time between two checks of the file (and two re-reads). Defaults to 5 000 ms. */
      jwksFileRefreshIntervalMs?: number;
      jwks?: never;
      keys?: never;
    }
  | { /** Public keys with their `kid`. */ keys: readonly VerificationKey[]; jwks?: never; jwksFile?: never };

/** Options of {@link JwtVerifier}. */
export type JwtVerifierOptions = JwtKeySource & {
  /** The `iss` values accepted. Required: tokens from anyone else are refused. */
  issuer: string | readonly string[];
  /** The `aud` values accepted (this service's names). Required: tokens for other services are refused. */
  audience: string | readonly string[];
  /**
   * Accepted `alg` values. Defaults to `['EdDSA', 'ES256']`. Only asymmetric algorithms can be
   * listed: `none` and HMAC (a verifier holding a shared secret can also mint tokens) are
   * refused at construction.
   */
  algorithms?: readonly string[];
  /** Clock skew tolerated on `exp` and `nbf`, milliseconds. Defaults to 30 000. */
  clockToleranceMs?: number;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
};

const defaultAlgorithms = ['EdDSA', 'ES256'] as const;
const defaultClockToleranceMs = 30_000;
const defaultJwksFileRefreshIntervalMs = 5_000;

function asList(value: string | readonly string[]): string[] {
  return typeof value === 'string' ? [value] : [...value];
}

/** What a jose failure means for the caller. Unknown failures are rethrown (INTERNAL). */
function reasonOf(error: unknown): UnauthenticatedReason | undefined {
  if (error instanceof errors.JWTExpired) return AuthErrorReason.TOKEN_EXPIRED;
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return AuthErrorReason.TOKEN_AUDIENCE_MISMATCH;
    if (error.claim === 'iss') return AuthErrorReason.TOKEN_ISSUER_MISMATCH;
    if (error.claim === 'nbf' && error.reason === 'check_failed') return AuthErrorReason.TOKEN_NOT_YET_VALID;
    return AuthErrorReason.TOKEN_INVALID;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return AuthErrorReason.TOKEN_INVALID;
  if (error instanceof errors.JOSEAlgNotAllowed) return AuthErrorReason.TOKEN_ALGORITHM_REJECTED;
  if (error instanceof KeyAlgorithmMismatch) return AuthErrorReason.TOKEN_ALGORITHM_REJECTED;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return AuthErrorReason.TOKEN_MALFORMED;
  }
  // Unrecognised `crit` extensions and the like.
  if (error instanceof errors.JOSENotSupported) return AuthErrorReason.TOKEN_INVALID;
  return undefined;
}

/**
 * Verifies signed JWT access tokens (compact JWS) against public keys, with `jose`:
 * - the header's `alg` must be one of `algorithms` (checked before any key is touched, so
 *   `alg: none` and HMAC tokens never reach a verification), and its `kid` must name a key
 *   whose declared `alg` (if any) is that algorithm and whose type fits it;
 * - the signature, `iss`, `aud`, `exp` and `nbf` (with the clock tolerance) are checked;
 * - `sub`, `exp` and `roles` (an array of strings) are required.
 *
 * The principal's kind is `service` when its roles include `service`, else `user`. Failures
 * are `UnauthenticatedError`s with an {@link AuthErrorReason}.
 */
export class JwtVerifier implements TokenVerifier {
  private readonly store: KeyStore;
  private readonly algorithms: ReadonlySet<string>;
  private readonly issuer: string[];
  private readonly audience: string[];
  private readonly clockToleranceSeconds: number;
  private readonly clock: () => number;

  constructor(options: JwtVerifierOptions) {
    this.clock = options.clock ?? Date.now;
    const algorithms = options.algorithms ?? defaultAlgorithms;
    if (algorithms.length === 0) throw new Error('JwtVerifier needs at least one algorithm');
    for (const alg of algorithms) {
      if (!supportedAlgorithms.has(alg)) {
        throw new Error(
          `JwtVerifier does not accept algorithm ${alg}: only ${[...supportedAlgorithms].join(', ')} (never none or HMAC)`,
        );
      }
    }
    this.algorithms = new Set(algorithms);
    this.issuer = asList(options.issuer);
    this.audience = asList(options.audience);
    if (this.issuer.length === 0 || this.audience.length === 0) {
      throw new Error('JwtVerifier needs an issuer and an audience');
    }
    this.clockToleranceSeconds = (options.clockToleranceMs ?? defaultClockToleranceMs) / 1000;
    if (options.jwksFile !== undefined) {
      this.store = new JwksFileKeyStore(
        options.jwksFile,
        options.jwksFileRefreshIntervalMs ?? defaultJwksFileRefreshIntervalMs,
        this.clock,
      );
    } else if (options.jwks !== undefined) {
      this.store = new StaticKeyStore({ jwks: options.jwks });
    } else if (options.keys !== undefined) {
      this.store = new StaticKeyStore({ keys: options.keys });
    } else {
      throw new Error('JwtVerifier needs one of jwks, jwksFile or keys');
    }
  }

  async verify(token: string): Promise<Principal> {
    let header: JWTHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWTHeaderParameters;
    } catch {
      throw authError(AuthErrorReason.TOKEN_MALFORMED);
    }
    if (typeof header.alg !== 'string' || !this.algorithms.has(header.alg)) {
      throw authError(AuthErrorReason.TOKEN_ALGORITHM_REJECTED);
    }
    if (typeof header.kid !== 'string' || header.kid === '') throw authError(AuthErrorReason.TOKEN_MALFORMED);

    let payload;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (protectedHeader) => {
          const kid = protectedHeader.kid ?? '';
          const entry = await this.store.find(kid);
          if (!entry) throw authError(AuthErrorReason.TOKEN_KEY_UNKNOWN);
          if (entry.alg !== undefined && entry.alg !== protectedHeader.alg) {
            throw authError(AuthErrorReason.TOKEN_ALGORITHM_REJECTED);
          }
          return entry.keyFor(protectedHeader.alg);
        },
        {
          algorithms: [...this.algorithms],
          issuer: this.issuer,
          audience: this.audience,
          clockTolerance: this.clockToleranceSeconds,
          currentDate: new Date(this.clock()),
          requiredClaims: ['sub', 'exp'],
        },
      ));
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      const reason = reasonOf(error);
      if (reason === undefined) throw error;
      throw authError(reason);
    }

    const { sub, exp, roles } = payload;
    if (
      typeof sub !== 'string' ||
      sub === '' ||
      typeof exp !== 'number' ||
      !Array.isArray(roles) ||
      !roles.every((role): role is string => typeof role === 'string')
    ) {
      throw authError(AuthErrorReason.TOKEN_INVALID);
    }
    return Object.freeze({
      subject: sub,
      kind: roles.includes('service') ? 'service' : 'user',
      roles: Object.freeze([...roles]),
      token,
      expiresAt: exp * 1000,
    });
  }
}
