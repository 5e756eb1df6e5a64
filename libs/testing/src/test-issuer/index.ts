export {
  createTestIssuer,
  type TestIssuer,
  type TestIssuerOptions,
  type TestTokenClaims,
} from './create-test-issuer.js';
export { scriptedAuthenticate, type ScriptedAuthenticate } from './scripted-authenticate.js';
