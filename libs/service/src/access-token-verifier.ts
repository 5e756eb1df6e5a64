import { JwtVerifier } from '@platform/grpc';
import { resolve } from 'node:path';

/** The variables a service that accepts the user service's access tokens declares. */
export interface AccessTokenSettings {
  /** Accepted `iss` and `aud`. */
  readonly AUTH_ISSUER: string;
  readonly AUTH_AUDIENCE: string;
  /** The public key set the user service publishes. */
  readonly AUTH_JWKS_FILE: string;
}

/**
 * The server chain's token verifier of a service that accepts the user service's access tokens:
 * `chain: { auth: { verifier: accessTokenVerifier(config) } }` (the chain's default selector
 * leaves health and reflection open).
 */
export function accessTokenVerifier(config: AccessTokenSettings): JwtVerifier {
  return new JwtVerifier({
    jwksFile: resolve(config.AUTH_JWKS_FILE),
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
}
