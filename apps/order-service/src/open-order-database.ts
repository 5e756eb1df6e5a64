import { databaseOptionsFrom, openDatabase, type Database, type DatabaseOptions } from '@platform/db';
import { orderSchema, type OrderSchema } from '@platform/order-domain';
import { resolve } from 'node:path';
import type { OrderServiceConfig } from './order-service.config.js';

/** Where the database is, when not where the configuration says (tests: PGlite in memory). */
export type OrderDatabaseLocation = Pick<DatabaseOptions, 'url' | 'inMemory' | 'pglite' | 'dataDir'>;

/** Opens the order service's database: DATABASE_URL, else PGlite in ORDER_DATA_DIR/db, or `location`. */
export function openOrderDatabase(
  config: OrderServiceConfig,
  location?: OrderDatabaseLocation,
  onConnectionError?: (error: Error) => void,
): Promise<Database<OrderSchema>> {
  const { url, dataDir, ...options } = databaseOptionsFrom(config, {
    dataDir: resolve(config.ORDER_DATA_DIR),
    applicationName: 'order-service',
  });
  return openDatabase({
    ...options,
    ...(location ?? { url, dataDir }),
    schema: orderSchema,
    ...(onConnectionError && { onConnectionError }),
  });
}
