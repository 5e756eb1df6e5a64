import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { causeChain } from '../connection/cause-chain.js';
import type { CancellationScope } from './cancellation-scope.js';
import { SingleStatementError } from './single-statement-error.js';

/** Options of {@link StatementGuard}. */
export interface StatementGuardOptions {
  /**
   * After each statement, let the event loop run (timers, I/O) before going on, so an abort
   * that arrived while a statement blocked the thread (PGlite) is seen before the next step.
   * Costs about 1 ms per statement (a zero timer runs after the due timers and the pending I/O,
   * such as a cancelled call's RST_STREAM). Defaults to false.
   */
  settleEvents?: boolean;
  /**
   * The body may run one statement only (`readStatement`): a second is refused with a
   * {@link SingleStatementError} instead of running outside the first one's snapshot. Defaults
   * to false.
   */
  singleStatement?: boolean;
}

/**
 * The guard whose body runs in the current async context. One storage serves every transaction:
 * each `AsyncLocalStorage` instance stays registered for the life of the process and costs every
 * later async operation something (on Node 20), so one per transaction made the service slower
 * with every transaction it had served.
 */
const activeBody = new AsyncLocalStorage<StatementGuard>();

/**
 * Stops the statements of a transaction's body once its scope stopped. Statements are told
 * apart by async context: the body's own (and its savepoints') are guarded; the driver's BEGIN,
 * COMMIT and ROLLBACK around it are not, so the rollback after a cancellation always runs.
 */
export class StatementGuard {
  /** Made at the first failure: most transactions have none. */
  private failures: WeakSet<object> | undefined;
  private readonly settleEvents: boolean;
  /** Statements the body may still run; unbounded unless `singleStatement`. */
  private statementsLeft: number;

  constructor(
    readonly scope: CancellationScope,
    options: StatementGuardOptions = {},
  ) {
    this.settleEvents = options.settleEvents ?? false;
    this.statementsLeft = options.singleStatement ? 1 : Number.POSITIVE_INFINITY;
  }

  /**
   * Runs one statement. Inside the body it is refused once the scope stopped, and its result
   * is discarded when the scope stopped while it ran.
   */
  async statement<T>(run: () => Promise<T>): Promise<T> {
    if (activeBody.getStore() !== this) return this.recordFailure(run);
    this.scope.throwIfStopped();
    if (this.statementsLeft-- <= 0) throw new SingleStatementError();
    const result = await this.recordFailure(run);
    if (this.settleEvents) await sleep(0);
    this.scope.throwIfStopped();
    return result;
  }

  /**
   * Whether `error` (or one of its causes) is the failure of a statement: it came from the
   * database, not from the body's own code (a downstream call failing with ECONNREFUSED).
   */
  failedStatement(error: unknown): boolean {
    if (!this.failures) return false;
    for (const link of causeChain(error)) if (this.failures.has(link)) return true;
    return false;
  }

  /**
   * Runs the transaction's body. Settles as soon as the scope stops, even when the body is
   * awaiting something else (a downstream call): the caller is not held until it returns.
   */
  async runBody<T>(fn: () => Promise<T>): Promise<T> {
    this.scope.throwIfStopped();
    const body = activeBody.run(this, fn);
    try {
      const result = await Promise.race([body, this.scope.whenStopped()]);
      if (this.settleEvents) await sleep(0);
      this.scope.throwIfStopped();
      return result;
    } catch (error) {
      // The abandoned body may still fail later (its next statement is refused): not unhandled.
      body.catch(() => undefined);
      throw this.scope.stopped ?? error;
    }
  }

  private recordFailure<T>(run: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = run();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.catch((error: unknown) => {
      if (typeof error === 'object' && error !== null) (this.failures ??= new WeakSet()).add(error);
      throw error;
    });
  }
}
