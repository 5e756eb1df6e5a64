#!/usr/bin/env node
// Makes the token keys of a Kubernetes install: the user service's private signing key (a
// private Ed25519 JWK, as the service itself generates in local runs) and the public key set the
// other services verify with, its `kid` the key's RFC 7638 thumbprint as the service computes it.
//
//   node deploy/kubernetes/auth-keys.mjs <dir>    # writes <dir>/signing-key.json (0600) and <dir>/jwks.json
//
// The README turns them into the Secret and the ConfigMap the chart mounts. Keep the private key
// out of the repository; the directory is refused if either file exists (no silent rotation).
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const algorithm = 'EdDSA';

/** A new signing key: the private JWK and the public key set for it. */
export async function makeAuthKeys() {
  const { privateKey } = await generateKeyPair(algorithm, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), alg: algorithm, use: 'sig' };
  const { d: _d, ...publicPart } = privateJwk;
  const kid = await calculateJwkThumbprint(publicPart);
  return { privateJwk, jwks: { keys: [{ ...publicPart, kid }] } };
}

const isMain = process.argv[1] && import.meta.filename === realpathSync(process.argv[1]);
if (isMain) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node deploy/kubernetes/auth-keys.mjs <dir>');
    process.exit(2);
  }
  const signingKeyFile = join(dir, 'signing-key.json');
  const jwksFile = join(dir, 'jwks.json');
  for (const file of [signingKeyFile, jwksFile]) {
    if (existsSync(file)) {
      console.error(
        `${file} exists: remove it first to make a new key (tokens signed by the old key stop verifying)`,
      );
      process.exit(1);
    }
  }
  const { privateJwk, jwks } = await makeAuthKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(signingKeyFile, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(jwksFile, `${JSON.stringify(jwks, null, 2)}\n`);
  console.log(`${signingKeyFile} (private, 0600) and ${jwksFile} (public), kid ${jwks.keys[0].kid}`);
}
