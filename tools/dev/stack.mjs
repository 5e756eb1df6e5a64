// What `npm run dev` runs and how: the apps in start order, the database each service gets, and
// each app's environment. dev.mjs starts the stack from this; the footprint check
// (footprint.spec.mjs) starts the same apps with the same environment (on ports and a data
// directory of its own) and holds them to the memory budgets below.
import { join } from 'node:path';
import { serviceClients } from './secrets.mjs';

/**
 * The apps in start order. `database`: the role and database of the service on the dev stack's
 * PostgreSQL (the names deploy/postgres/init-databases.sh gives them for compose). `budgetMb`: the
 * most resident memory (RSS, MiB) the app may use on the dev stack after a load (README, "The dev
 * stack's footprint"). `heapMb`: its V8 old-space limit (`--max-old-space-size`). V8 sizes the
 * heap from the machine's memory and collects late: under load a service's heap grew to 215 MB
 * of which 48 MB were live after a full collection. With a limit, it collects before growing.
 * A limit near the live heap is worse: with a backlog the worker's heap held 35 MB (kafkajs
 * keeps each partition's fetched batch), and its former 64 MB limit made V8 run 25 full
 * collections a second, a whole core, until the backlog was done. So every limit is at least
 * twice the old space in use after the load, which the footprint check holds them to (the
 * services' 48 MB made 96 MB the edge). `dataDirVariable`: for a service
 * added by `nx g @platform/plugin:service`, the variable of its data directory; such a service
 * gets that, its DATABASE_URL and the broker, its other variables keep their defaults.
 */
export const devApps = [
  { name: 'user-service', database: 'user_service', budgetMb: 200, heapMb: 128 },
  { name: 'order-service', database: 'order_service', budgetMb: 200, heapMb: 128 },
  { name: 'fulfillment-worker', budgetMb: 150, heapMb: 128 },
];

/**
 * The most memory the dev stack's PostgreSQL server may take after the same load: the
 * proportional set size (PSS) of all its processes, its shared buffers counted once.
 */
export const postgresBudgetMb = 150;

/**
 * The environment dev gives `name` (added to its own): its heap limit, the broker, the data directory (keys, and
 * PGlite's database when there is no PostgreSQL), the service's DATABASE_URL when the stack runs
 * on PostgreSQL (`databaseUrls` by database name), the local credentials, and the addresses of
 * the apps already started (`ready`: their ready log entries by name).
 */
export function appEnvironment(name, { broker, dataDir, databaseUrls, secrets, ready }) {
  const app = devApps.find((candidate) => candidate.name === name);
  if (!app) throw new Error(`${name} is not an app of the dev stack`);
  const database = app.database && databaseUrls ? { DATABASE_URL: databaseUrls[app.database] } : {};
  const shared = {
    NODE_OPTIONS: [process.env['NODE_OPTIONS'], `--max-old-space-size=${app.heapMb}`]
      .filter(Boolean)
      .join(' '),
    KAFKA_BROKERS: broker,
  };
  switch (name) {
    case 'user-service':
      return {
        ...shared,
        USER_DATA_DIR: join(dataDir, name),
        ...database,
        BOOTSTRAP_ADMIN_EMAIL: secrets.adminEmail,
        BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
        AUTH_SERVICE_CLIENTS: serviceClients(secrets),
      };
    case 'order-service':
      return {
        ...shared,
        ORDER_DATA_DIR: join(dataDir, name),
        ...database,
        USER_SERVICE_ADDRESS: ready['user-service'].address,
        AUTH_CLIENT_SECRET: secrets.orderServiceSecret,
      };
    case 'fulfillment-worker':
      return {
        ...shared,
        ORDER_SERVICE_ADDRESS: ready['order-service'].address,
        USER_SERVICE_ADDRESS: ready['user-service'].address,
        AUTH_CLIENT_SECRET: secrets.fulfillmentWorkerSecret,
        // Orders stay PENDING a moment, as with real fulfilment: WatchOrder shows both states and
        // the demo can cancel one. Set FULFILLMENT_DURATION (0 to 15s) to change it.
        FULFILLMENT_DURATION: process.env['FULFILLMENT_DURATION'] ?? '3s',
      };
    default:
      if (!app.dataDirVariable) throw new Error(`${name} has no environment in the dev stack`);
      return { ...shared, [app.dataDirVariable]: join(dataDir, name), ...database };
  }
}
