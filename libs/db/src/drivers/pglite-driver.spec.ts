import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../database.js';
import { preparePglite } from '../testing/index.js';
import { openPgliteDatabase } from './pglite-driver.js';

let db: Database | undefined;

afterEach(async () => {
  await db?.close();
  db = undefined;
});

async function sharedBuffers(database: Database): Promise<unknown> {
  const result = await database.execute(sql`show shared_buffers`);
  return (result as unknown as { rows: { shared_buffers: unknown }[] }).rows[0]?.shared_buffers;
}

describe('openPgliteDatabase', () => {
  it('runs PGlite with 16 MB of shared buffers, not 128 MB (its memory never shrinks)', async () => {
    db = await openPgliteDatabase({ inMemory: true, pglite: { loadDataDir: await preparePglite() } });
    expect(await sharedBuffers(db)).toBe('16MB');
  });

  it("keeps the caller's own startParams", async () => {
    db = await openPgliteDatabase({
      inMemory: true,
      pglite: {
        loadDataDir: await preparePglite(),
        startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=8MB'],
      },
    });
    expect(await sharedBuffers(db)).toBe('8MB');
  });
});
