// Access tokens: the signing key (generated at first start for local runs), the issuer, the
// published public key set.
export {
  loadSigningKey,
  signingAlgorithm,
  type LoadSigningKeyOptions,
  type SigningKey,
} from './signing-key.js';
export { TokenIssuer, type TokenClaims, type TokenIssuerOptions } from './token-issuer.js';
export { jwksOf, writeJwks } from './write-jwks.js';
