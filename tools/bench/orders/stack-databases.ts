// Where a stack keeps its data, per database kind. PGlite: in the stack's data folder (copied
// from the prepared one with it). PostgreSQL: as the dev stack and production do, a role and a
// database per service (`user_service`, `order_service`, made by tools/scripts/postgres.mjs and
// migrated by the services' `migrate` when the bench data is made); each measured stack gets
// copies of those two databases (CREATE DATABASE … TEMPLATE, owned by the same roles), so every
// measurement starts from the same rows, and they are dropped after it.
import type { PostgresServer } from '../shared/postgres-server.js';
import type { StackDatabaseUrls } from './order-stack.js';

export type DatabaseKind = 'pglite' | 'postgres';

export const databaseKinds: readonly DatabaseKind[] = ['pglite', 'postgres'];

/** Databases of one measured process, dropped after it. */
export interface DatabaseCopy<Urls> {
  urls: Urls;
  drop(): Promise<void>;
}

export interface StackDatabases {
  readonly kind: DatabaseKind;
  /** The databases the bench data is made in (none on PGlite: the stack's folder holds them). */
  prepare(): Promise<StackDatabaseUrls | undefined>;
  /** Copies of the prepared databases for one stack. */
  copy(): Promise<DatabaseCopy<StackDatabaseUrls | undefined>>;
  /** A copy of the prepared order database alone (the floor server's); PostgreSQL only. */
  copyOrderDatabase(): Promise<DatabaseCopy<string>>;
}

const noDrop = () => Promise.resolve();

export const pgliteDatabases: StackDatabases = {
  kind: 'pglite',
  prepare: () => Promise.resolve(undefined),
  copy: () => Promise.resolve({ urls: undefined, drop: noDrop }),
  copyOrderDatabase: () => Promise.reject(new Error('the floor server runs on PostgreSQL only')),
};

/** The roles and prepared databases of the two services (the dev stack's names). */
const roles = { user: 'user_service', order: 'order_service' } as const;

export function postgresDatabases(server: PostgresServer): StackDatabases {
  let copies = 0;
  const copyOf = async (service: keyof typeof roles, suffix: string): Promise<DatabaseCopy<string>> => {
    const name = `${roles[service]}_${suffix}`;
    const url = await server.copyDatabase(roles[service], name, roles[service]);
    return { urls: url, drop: () => server.dropDatabase(name) };
  };
  return {
    kind: 'postgres',
    async prepare() {
      return { user: await server.database(roles.user), order: await server.database(roles.order) };
    },
    async copy() {
      copies += 1;
      const user = await copyOf('user', `s${copies}`);
      const order = await copyOf('order', `s${copies}`).catch(async (error: unknown) => {
        await user.drop();
        throw error;
      });
      return {
        urls: { user: user.urls, order: order.urls },
        drop: async () => {
          await Promise.all([user.drop(), order.drop()]);
        },
      };
    },
    copyOrderDatabase() {
      copies += 1;
      return copyOf('order', `f${copies}`);
    },
  };
}
