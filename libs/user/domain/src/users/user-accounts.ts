import { readStatement, withTransaction, type Database } from '@platform/db';
import { recordEvent } from '@platform/events';
import {
  FailedPreconditionError,
  NotFoundError,
  pageOf,
  resolvePageSize,
  type PageTokenCodec,
  type Principal,
} from '@platform/core';
import {
  ListUsersResponse,
  toTimestamp,
  UserCreated,
  UserDeactivated,
  UserOrderStats,
  userCreated,
  userDeactivated,
  type CreateUserRequest,
  type DeactivateUserRequest,
  type UpdateUserRequest,
  type User,
} from '@platform/proto';
import { randomUUID } from 'node:crypto';
import type { PasswordHasher } from '../credentials/password-hasher.js';
import { userAccess } from './user-access.js';
import { accountRoleOf, toUserMessage, userResourceType } from './user-message.js';
import { userRepository, type UserCursor } from './user-repository.js';
import type { AccountRole, UserRow, UserSchema } from './user-schema.js';

/** Options of {@link UserAccounts}. */
export interface UserAccountsOptions {
  db: Database<UserSchema>;
  hasher: PasswordHasher;
  /** Seals ListUsers page tokens. */
  pageTokens: PageTokenCodec;
  /** Current time, epoch milliseconds; for tests. Defaults to `Date.now`. */
  clock?: () => number;
}

/** A new account, already validated (requests by the validation interceptor, bootstrap by config). */
export interface NewAccount {
  email: string;
  password: string;
  displayName: string;
  role?: AccountRole;
}

const listScope = 'ListUsers';

function notFound(userId: string): NotFoundError {
  return new NotFoundError(
    `User ${userId} not found`,
    { resourceType: userResourceType, resourceName: userId },
    { reason: 'USER_NOT_FOUND' },
  );
}

function deactivated(row: UserRow): FailedPreconditionError {
  return new FailedPreconditionError(
    `User ${row.id} is deactivated`,
    [{ type: 'USER_STATUS', subject: `users/${row.id}`, description: 'the account is deactivated' }],
    { reason: 'USER_DEACTIVATED' },
  );
}

/**
 * The accounts of the user service: sign-up, reads, profile and role changes, deactivation.
 * Every method takes the caller's principal and applies {@link userAccess} first; every
 * statement runs in a transaction bound to the gRPC call (cancelled with it, within its deadline).
 */
export class UserAccounts {
  private readonly db: Database<UserSchema>;
  private readonly hasher: PasswordHasher;
  private readonly pageTokens: PageTokenCodec;
  private readonly clock: () => number;

  constructor(options: UserAccountsOptions) {
    this.db = options.db;
    this.hasher = options.hasher;
    this.pageTokens = options.pageTokens;
    this.clock = options.clock ?? Date.now;
  }

  /** Sign-up: a new active account with the `user` role (unless `role` says otherwise). */
  async create(account: NewAccount): Promise<User> {
    // Hashing is slow on purpose; it happens before the transaction so no connection waits on it.
    const passwordHash = await this.hasher.hash(account.password);
    const now = new Date(this.clock());
    const row = await withTransaction(this.db, async (tx) => {
      const inserted = await userRepository.insert(tx, {
        id: randomUUID(),
        email: account.email.trim(),
        displayName: account.displayName.trim(),
        passwordHash,
        role: account.role ?? 'user',
        status: 'active',
        createTime: now,
        updateTime: now,
        deactivateTime: null,
        deactivateReason: null,
      });
      await recordEvent(tx, userCreated, inserted.id, UserCreated.create({ user: toUserMessage(inserted) }));
      return inserted;
    });
    return toUserMessage(row);
  }

  /** CreateUser. */
  createUser(request: CreateUserRequest): Promise<User> {
    return this.create({
      email: request.email,
      password: request.password,
      displayName: request.displayName,
    });
  }

  async getUser(principal: Principal, userId: string): Promise<User> {
    userAccess.assertCanRead(principal, userId);
    const row = await this.read((tx) => userRepository.findById(tx, userId));
    if (!row) throw notFound(userId);
    return toUserMessage(row);
  }

  async listUsers(principal: Principal, pageSize: number, pageToken: string): Promise<ListUsersResponse> {
    userAccess.assertAdmin(principal, 'list accounts');
    const limit = resolvePageSize(pageSize);
    const cursor = this.pageTokens.decode<UserCursor>(pageToken, listScope);
    const rows = await this.read((tx) => userRepository.list(tx, cursor, limit + 1));
    const page = pageOf(rows, limit, (last) =>
      this.pageTokens.encode(
        { createTime: last.createTime.getTime(), id: last.id } satisfies UserCursor,
        listScope,
      ),
    );
    return ListUsersResponse.create({
      users: page.items.map(toUserMessage),
      nextPageToken: page.nextPageToken,
    });
  }

  async updateUser(principal: Principal, request: UpdateUserRequest): Promise<User> {
    const role = request.role == null ? undefined : accountRoleOf(request.role);
    const displayName = request.displayName == null ? undefined : request.displayName.trim();
    userAccess.assertCanUpdate(principal, request.userId, role !== undefined);
    const row = await withTransaction(this.db, async (tx) => {
      const current = await userRepository.findById(tx, request.userId);
      if (!current) throw notFound(request.userId);
      if (current.status === 'deactivated') throw deactivated(current);
      const changes = {
        ...(displayName !== undefined && { displayName }),
        ...(role !== undefined && { role }),
      };
      const unchanged = Object.entries(changes).every(
        ([key, value]) => current[key as keyof UserRow] === value,
      );
      // An update that changes nothing keeps update_time: retries of an IDEMPOTENT call are invisible.
      if (unchanged) return current;
      return userRepository.update(tx, request.userId, { ...changes, updateTime: new Date(this.clock()) });
    });
    return toUserMessage(row);
  }

  async deactivateUser(principal: Principal, request: DeactivateUserRequest): Promise<User> {
    userAccess.assertAdmin(principal, 'deactivate accounts');
    if (principal.subject === request.userId) {
      throw new FailedPreconditionError(
        'An admin cannot deactivate their own account',
        [{ type: 'USER_SELF', subject: `users/${request.userId}`, description: 'ask another admin' }],
        { reason: 'USER_DEACTIVATE_SELF' },
      );
    }
    const row = await withTransaction(this.db, async (tx) => {
      const current = await userRepository.findById(tx, request.userId);
      if (!current) throw notFound(request.userId);
      // Deactivating twice is a no-op: the first time and reason stay.
      if (current.status === 'deactivated') return current;
      const now = new Date(this.clock());
      const reason = request.reason.trim();
      const updated = await userRepository.update(tx, request.userId, {
        status: 'deactivated',
        deactivateTime: now,
        deactivateReason: reason || null,
        updateTime: now,
      });
      await recordEvent(
        tx,
        userDeactivated,
        updated.id,
        UserDeactivated.create({
          userId: updated.id,
          deactivateTime: toTimestamp(now),
          reason,
        }),
      );
      return updated;
    });
    return toUserMessage(row);
  }

  /** GetUserOrderStats: zeros until the user's first order event is projected. */
  async orderStats(principal: Principal, userId: string): Promise<UserOrderStats> {
    userAccess.assertCanRead(principal, userId);
    // Two statements: one snapshot for both.
    const stats = await withTransaction(
      this.db,
      async (tx) =>
        (await userRepository.findById(tx, userId)) ? userRepository.orderStats(tx, userId) : undefined,
      { readOnly: true },
    );
    if (!stats) throw notFound(userId);
    return UserOrderStats.create({
      userId,
      orderCount: stats.orderCount.toString(),
      confirmedCount: stats.confirmedCount.toString(),
      cancelledCount: stats.cancelledCount.toString(),
      lifetimeTotalMinorByCurrency: Object.fromEntries(
        [...stats.lifetimeTotalMinorByCurrency].map(([currency, total]) => [currency, total.toString()]),
      ),
      lastOrderTime: stats.lastOrderTime ? toTimestamp(stats.lastOrderTime) : null,
    });
  }

  /**
   * Creates the bootstrap admin when no account has its email; an existing account is left as
   * it is (its password is not reset). Returns whether it was created.
   */
  async ensureAdmin(account: Omit<NewAccount, 'role'>): Promise<boolean> {
    const existing = await this.read((tx) => userRepository.findByEmail(tx, account.email.trim()));
    if (existing) return false;
    try {
      await this.create({ ...account, role: 'admin' });
      return true;
    } catch (error) {
      // Another instance created it at the same moment.
      if ((error as { reason?: string }).reason === 'USER_EMAIL_TAKEN') return false;
      throw error;
    }
  }

  /** A read of one statement: one round trip on PostgreSQL (see `readStatement`). */
  private read<T>(fn: Parameters<typeof readStatement<T, UserSchema>>[1]): Promise<T> {
    return readStatement(this.db, fn);
  }
}
