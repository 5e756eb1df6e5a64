import { openDatabase, type Database, type DatabaseOptions } from '@platform/db';
import { orderSchema, type OrderSchema } from '@platform/order-domain';
import { join, resolve } from 'node:path';
import type { OrderServiceConfig } from './order-service.config.js';

/** Where the database is: PostgreSQL, PGlite on disk, or PGlite in memory (tests). */
export type OrderDatabaseLocation = Pick<DatabaseOptions, 'url' | 'inMemory' | 'pglite' | 'dataDir'>;

/** DATABASE_URL when set, else PGlite in ORDER_DATA_DIR/db. */
export function orderDatabaseLocation(config: OrderServiceConfig): OrderDatabaseLocation {
  return config.DATABASE_URL
    ? { url: config.DATABASE_URL }
    : { dataDir: join(resolve(config.ORDER_DATA_DIR), 'db') };
}

/** Opens the order service's database with the configured pool and statement timeout. */
export function openOrderDatabase(
  config: OrderServiceConfig,
  location: OrderDatabaseLocation,
  onConnectionError?: (error: Error) => void,
): Promise<Database<OrderSchema>> {
  return openDatabase({
    ...location,
    schema: orderSchema,
    applicationName: 'order-service',
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT,
    pool: { max: config.DATABASE_POOL_MAX, connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT },
    ...(onConnectionError && { onConnectionError }),
  });
}
