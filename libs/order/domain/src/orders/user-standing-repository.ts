import { preparedQuery, type Transaction } from '@platform/db';
import { eq, sql } from 'drizzle-orm';
import { userStandings, type OrderSchema } from './order-schema.js';

// Every CreateOrder of a known user runs it.
const lockedStanding = preparedQuery('user_standing_for_share', (tx: Transaction<OrderSchema>) =>
  tx
    .select({ active: userStandings.active, updateTime: userStandings.updateTime })
    .from(userStandings)
    .where(eq(userStandings.userId, sql.placeholder('userId')))
    .for('share'),
);

/**
 * Users' standing as the order service knows it (migration 0003). Each query runs in the
 * caller's transaction; the row lock is what orders CreateOrder against the UserDeactivated
 * consumer.
 */
export const userStandingRepository = {
  /**
   * The user's standing and when it was learnt, `undefined` when not known; the row is locked
   * `for share` until the transaction ends, so a deactivation waits for the order being taken.
   */
  async lock(
    tx: Transaction<OrderSchema>,
    userId: string,
  ): Promise<{ active: boolean; updateTime: Date } | undefined> {
    const [row] = await lockedStanding(tx, { userId });
    return row;
  },

  /**
   * Records the user service's answer that the user is active: a new row, or a fresher time on
   * an active one. A deactivation is never overwritten: false when one is there. Either way the
   * row stays locked until the transaction ends (PostgreSQL locks the row an upsert meets).
   */
  async learnActive(tx: Transaction<OrderSchema>, userId: string, at: Date): Promise<boolean> {
    const written = await tx
      .insert(userStandings)
      .values({ userId, active: true, updateTime: at })
      .onConflictDoUpdate({
        target: userStandings.userId,
        set: { updateTime: at },
        setWhere: eq(userStandings.active, true),
      })
      .returning({ userId: userStandings.userId });
    return written.length === 1;
  },

  /** Records a deactivation (final), known user or not. */
  async deactivate(tx: Transaction<OrderSchema>, userId: string, at: Date): Promise<void> {
    await tx
      .insert(userStandings)
      .values({ userId, active: false, updateTime: at })
      .onConflictDoUpdate({ target: userStandings.userId, set: { active: false, updateTime: at } });
  },
};
