import type { Principal } from '@platform/core';

/**
 * Principals of verified tokens, by token string, until the token expires: a bounded LRU
 * (least recently used evicted first). Only successes are kept, so bad tokens cannot crowd
 * out good ones; an entry past its `expiresAt` is dropped on lookup.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Principal>();

  constructor(
    private readonly maxEntries: number,
    private readonly clock: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(token: string): Principal | undefined {
    const principal = this.entries.get(token);
    if (!principal) return undefined;
    this.entries.delete(token);
    if (!(principal.expiresAt !== undefined && principal.expiresAt > this.clock())) return undefined;
    this.entries.set(token, principal);
    return principal;
  }

  set(token: string, principal: Principal): void {
    if (this.maxEntries <= 0) return;
    if (principal.expiresAt === undefined || principal.expiresAt <= this.clock()) return;
    this.entries.delete(token);
    this.entries.set(token, principal);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
