export {
  createTestIssuer,
  type TestIssuer,
  type TestIssuerOptions,
  type TestTokenClaims,
} from './create-test-issuer.js';
