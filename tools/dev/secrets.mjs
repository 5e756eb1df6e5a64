// The dev stack's local credentials, generated once and kept in .data/dev/secrets.json (owner
// only): nothing secret is committed. A file written by an earlier version keeps its values and
// gets the missing ones added (the fulfillment worker's secret, added with the worker).
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every value of the file and how to make it when missing. */
const generators = {
  adminEmail: () => 'admin@example.com',
  adminPassword: () => `Adm1n-${randomBytes(12).toString('base64url')}`,
  orderServiceSecret: () => randomBytes(24).toString('base64url'),
  fulfillmentWorkerSecret: () => randomBytes(24).toString('base64url'),
};

/** Reads (or creates) `<dataDir>/dev/secrets.json`, adding the values it lacks. Throws on a broken file. */
export function localSecrets(dataDir) {
  const dir = join(dataDir, 'dev');
  const file = join(dir, 'secrets.json');
  let secrets = {};
  if (existsSync(file)) {
    try {
      secrets = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${error.message}); fix it or run with --reset`, {
        cause: error,
      });
    }
  }
  const missing = Object.keys(generators).filter((key) => typeof secrets[key] !== 'string' || !secrets[key]);
  if (missing.length === 0) return secrets;
  for (const key of missing) secrets[key] = generators[key]();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/** The user service's AUTH_SERVICE_CLIENTS: every service principal of the dev stack. */
export function serviceClients(secrets) {
  return [
    `order-service:${secrets.orderServiceSecret}`,
    `fulfillment-worker:${secrets.fulfillmentWorkerSecret}`,
  ].join(',');
}
