#!/usr/bin/env node
// `npm run dev`: the platform on its embedded default, no Docker: builds the services, then runs
// user-service and order-service on PGlite in .data/, with the keys, the admin and the service
// credentials created at first run. Ctrl-C (SIGINT/SIGTERM) stops them in order.
//   npm run dev            keep data between runs
//   npm run dev -- --reset delete .data/ first
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const dataDir = join(root, '.data');
const reset = process.argv.includes('--reset');

function fail(message) {
  console.error(`dev: ${message}`);
  process.exit(1);
}

/** Generated once, kept in .data/dev/secrets.json (owner only): nothing secret is committed. */
function localSecrets() {
  const file = join(dataDir, 'dev', 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(join(dataDir, 'dev'), { recursive: true, mode: 0o700 });
  const secrets = {
    adminEmail: 'admin@example.com',
    adminPassword: `Adm1n-${randomBytes(12).toString('base64url')}`,
    orderServiceSecret: randomBytes(24).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** Starts `node apps/<name>/dist/main.js`; resolves with its ready line, rejects with its error. */
function startService(name, env) {
  const child = spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ready = new Promise((resolveReady, rejectReady) => {
    child.once('exit', (code) => rejectReady(new Error(`${name} exited with ${code}\n${stderr.trim()}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === `${name} ready`) resolveReady(entry);
      else if (entry.level === 'fatal') rejectReady(new Error(`${name}: ${entry.err?.message ?? entry.msg}`));
      else if (entry.level === 'warn' || entry.level === 'error')
        console.log(`[${name}] ${entry.level}: ${entry.msg}`);
    });
  });
  return { name, child, ready };
}

function stop(service) {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => service.child.kill('SIGKILL'), 15_000);
    service.child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    service.child.kill('SIGTERM');
  });
}

if (reset) {
  rmSync(dataDir, { recursive: true, force: true });
  console.log('dev: deleted .data/');
}
console.log('dev: building the services …');
const build = spawnSync(
  join(root, 'node_modules', '.bin', 'nx'),
  ['run-many', '-t', 'build', '-p', 'user-service,order-service'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false' },
  },
);
if (build.status !== 0) fail('the build failed (see above)');

const secrets = localSecrets();
const running = [];
let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const service of [...running].reverse()) {
    console.log(`dev: stopping ${service.name} …`);
    await stop(service);
  }
  process.exit(code);
}
process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));

try {
  console.log('dev: starting user-service …');
  const users = startService('user-service', {
    BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
    BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
    AUTH_SERVICE_CLIENTS: `order-service:${secrets.orderServiceSecret}`,
  });
  running.push(users);
  const userReady = await users.ready;
  console.log('dev: starting order-service …');
  const orders = startService('order-service', {
    USER_SERVICE_ADDRESS: userReady.address,
    AUTH_CLIENT_SECRET: secrets.orderServiceSecret,
  });
  running.push(orders);
  const orderReady = await orders.ready;
  console.table([
    {
      service: 'user-service',
      grpc: userReady.address,
      metrics: `http://127.0.0.1:${userReady.metricsPort}/metrics`,
    },
    {
      service: 'order-service',
      grpc: orderReady.address,
      metrics: `http://127.0.0.1:${orderReady.metricsPort}/metrics`,
    },
  ]);
  console.log(`dev: data in ${dataDir} (admin ${secrets.adminEmail}, password in .data/dev/secrets.json)`);
  console.log('dev: ready. Ctrl-C stops everything.');
  for (const service of running) {
    service.child.once('exit', (code) => {
      if (!stopping) {
        console.error(`dev: ${service.name} exited unexpectedly (${code})`);
        void stopAll(1);
      }
    });
  }
} catch (error) {
  console.error(`dev: ${error.message}`);
  await stopAll(1);
}
