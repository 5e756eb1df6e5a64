import { AlreadyExistsError } from '@platform/core';
import { preparedQuery, sqlStateOf, type Transaction } from '@platform/db';
import { and, asc, eq, gt, or, sql } from 'drizzle-orm';
import { userResourceType } from './user-message.js';
import { userOrderStats, userOrderTotals, users, type UserRow, type UserSchema } from './user-schema.js';

/** Where a page of users starts: after this account, in (create_time, id) order. */
export interface UserCursor {
  readonly createTime: number;
  readonly id: string;
}

/** A user's order statistics as stored; all zeros for a user without orders. */
export interface OrderStatsRow {
  readonly orderCount: bigint;
  readonly confirmedCount: bigint;
  readonly cancelledCount: bigint;
  readonly lastOrderTime: Date | null;
  readonly lifetimeTotalMinorByCurrency: ReadonlyMap<string, bigint>;
}

const uniqueViolation = '23505';
const emailIndex = 'users_email_lower_key';

function isEmailTaken(error: unknown): boolean {
  if (sqlStateOf(error) !== uniqueViolation) return false;
  // drizzle wraps the driver's error; the constraint name sits on the innermost one.
  for (let current = error as { constraint?: unknown; cause?: unknown } | undefined; current;) {
    if (current.constraint === emailIndex) return true;
    current = current.cause as typeof current;
  }
  return false;
}

// The reads of every GetUser and sign-in, built once (see preparedQuery).
const byId = preparedQuery('user_by_id', (tx: Transaction<UserSchema>) =>
  tx
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id'))),
);
const byEmail = preparedQuery('user_by_email', (tx: Transaction<UserSchema>) =>
  tx
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${sql.placeholder('email')})`),
);

/** The user service's queries. Each runs in the caller's transaction. */
export const userRepository = {
  /** Inserts an account; an email taken in any case fails ALREADY_EXISTS (`USER_EMAIL_TAKEN`). */
  async insert(tx: Transaction<UserSchema>, row: UserRow): Promise<UserRow> {
    try {
      const [inserted] = await tx.insert(users).values(row).returning();
      if (!inserted) throw new Error('INSERT ... RETURNING returned no row');
      return inserted;
    } catch (error) {
      if (!isEmailTaken(error)) throw error;
      throw new AlreadyExistsError(
        'An account with this email already exists',
        { resourceType: userResourceType, resourceName: row.email },
        { reason: 'USER_EMAIL_TAKEN', cause: error },
      );
    }
  },

  async findById(tx: Transaction<UserSchema>, id: string): Promise<UserRow | undefined> {
    const [row] = await byId(tx, { id });
    return row;
  },

  /** Case-insensitive, like the unique index. */
  async findByEmail(tx: Transaction<UserSchema>, email: string): Promise<UserRow | undefined> {
    const [row] = await byEmail(tx, { email });
    return row;
  },

  /** Up to `limit` accounts after `cursor`, oldest first. */
  async list(tx: Transaction<UserSchema>, cursor: UserCursor | undefined, limit: number): Promise<UserRow[]> {
    const after = cursor
      ? or(
          gt(users.createTime, new Date(cursor.createTime)),
          and(eq(users.createTime, new Date(cursor.createTime)), gt(users.id, cursor.id)),
        )
      : undefined;
    return tx.select().from(users).where(after).orderBy(asc(users.createTime), asc(users.id)).limit(limit);
  },

  /** Changes an account that exists (accounts are never deleted: callers read it first, in the same transaction). */
  async update(
    tx: Transaction<UserSchema>,
    id: string,
    changes: Partial<Omit<UserRow, 'id' | 'email' | 'createTime'>>,
  ): Promise<UserRow> {
    const [row] = await tx.update(users).set(changes).where(eq(users.id, id)).returning();
    if (!row) throw new Error(`user ${id} vanished while being updated`);
    return row;
  },

  async orderStats(tx: Transaction<UserSchema>, userId: string): Promise<OrderStatsRow> {
    const [stats] = await tx.select().from(userOrderStats).where(eq(userOrderStats.userId, userId));
    const totals = await tx
      .select()
      .from(userOrderTotals)
      .where(eq(userOrderTotals.userId, userId))
      .orderBy(asc(userOrderTotals.currencyCode));
    return {
      orderCount: stats?.orderCount ?? 0n,
      confirmedCount: stats?.confirmedCount ?? 0n,
      cancelledCount: stats?.cancelledCount ?? 0n,
      lastOrderTime: stats?.lastOrderTime ?? null,
      lifetimeTotalMinorByCurrency: new Map(
        totals.map((total) => [total.currencyCode, total.lifetimeTotalMinor]),
      ),
    };
  },
};
