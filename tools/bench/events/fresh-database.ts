import { openDatabase } from '@platform/db';
import { sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';

/** Creates a database of its own on the PostgreSQL server of `url`; returns its URL. */
export async function freshDatabase(url: string, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const server = await openDatabase({ url });
  try {
    await server.execute(sql.raw(`create database ${name}`));
  } finally {
    await server.close();
  }
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return fresh.toString();
}
