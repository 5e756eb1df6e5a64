import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** Issuer and audience every benchmark server checks. */
export const benchIssuer = 'bench.platform';
export const benchAudience = 'order-service';

/** A fresh EdDSA key pair's public JWK and a token it signed (an hour valid), as the chain's auth sees them. */
export async function benchToken(): Promise<{ token: string; jwk: JWK; expiresAt: number }> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'EdDSA', use: 'sig' };
  const expiresAt = Date.now() + 3_600_000;
  const token = await new SignJWT({ roles: ['user'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'bench-1' })
    .setIssuer(benchIssuer)
    .setAudience(benchAudience)
    .setSubject('0b0f1f5e-2c47-4a39-8d6e-5f3b3f2d9a10')
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .sign(privateKey);
  return { token, jwk, expiresAt };
}
