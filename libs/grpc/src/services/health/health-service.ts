import type { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type {
  HealthCheck,
  HealthCheckFailure,
  HealthServiceOptions,
  ServingStatus,
} from './health-options.js';
import { runHealthCheck, type CheckOutcome } from './run-health-check.js';

const defaultIntervalMs = 5000;
const defaultCheckTimeoutMs = 2000;

interface RegisteredCheck {
  readonly service: string;
  readonly name: string;
  readonly run: HealthCheck;
}

/**
 * grpc.health.v1 (Check, Watch, List) driven by dependency checks. A service is SERVING only
 * while every check registered for it and every server-wide check (service `''`) passed in the
 * latest evaluation; the overall status `''` is SERVING only while every check passes. A check
 * that has not run yet counts as failing: a service is never SERVING before its dependencies
 * were checked (a service without checks is SERVING at once).
 * Check answers NOT_FOUND and Watch SERVICE_UNKNOWN for a service never registered, as the
 * health protocol asks. Watch streams each change of status, never a repeated one.
 */
export class HealthService {
  readonly #implementation = new HealthImplementation();
  readonly #services = new Set<string>(['']);
  readonly #checks: RegisteredCheck[] = [];
  readonly #outcomes = new Map<RegisteredCheck, CheckOutcome>();
  readonly #published = new Map<string, ServingStatus>();
  readonly #intervalMs: number;
  readonly #checkTimeoutMs: number;
  readonly #onChange: HealthServiceOptions['onChange'];
  #timer: NodeJS.Timeout | undefined;
  #evaluation: Promise<void> | undefined;
  #shuttingDown = false;

  constructor(options: HealthServiceOptions = {}) {
    this.#intervalMs = options.intervalMs ?? defaultIntervalMs;
    this.#checkTimeoutMs = options.checkTimeoutMs ?? defaultCheckTimeoutMs;
    this.#onChange = options.onChange;
    for (const service of options.services ?? []) this.#services.add(service);
    this.#publish();
  }

  /**
   * Registers a dependency check for a service (`''`: a dependency of the whole server, so of
   * every service). The service is NOT_SERVING until the check has passed once.
   *
   * @param name Names the check in {@link HealthCheckFailure}s. Defaults to the function's name.
   */
  addCheck(service: string, check: HealthCheck, name: string = check.name || 'anonymous check'): this {
    this.#services.add(service);
    this.#checks.push({ service, name, run: check });
    this.#publish();
    return this;
  }

  /** The reported status of a service, or `undefined` when it is not registered. */
  status(service = ''): ServingStatus | undefined {
    return this.#published.get(service);
  }

  /** The checks that failed in the latest evaluation (never-run checks included). */
  failures(service = ''): HealthCheckFailure[] {
    return this.#checks
      .filter((check) => service === '' || check.service === service || check.service === '')
      .flatMap((check) => {
        const outcome = this.#outcomes.get(check);
        if (outcome?.ok) return [];
        return [{ service: check.service, check: check.name, detail: outcome?.detail ?? 'not checked yet' }];
      });
  }

  /** Serves grpc.health.v1.Health on the server. */
  addToServer(server: Pick<Server, 'addService'>): void {
    this.#implementation.addToServer(server as Parameters<HealthImplementation['addToServer']>[0]);
  }

  /**
   * Runs every check now and every `intervalMs` after (on unref'd timers, so polling never
   * keeps the process alive). Resolves after the first evaluation.
   */
  start(): Promise<void> {
    if (this.#shuttingDown) return Promise.resolve();
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.refresh(), this.#intervalMs);
      this.#timer.unref();
    }
    return this.refresh();
  }

  /** Stops polling; statuses keep their latest value. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Runs every check now and publishes the resulting statuses. Concurrent calls share one
   * evaluation, so a dependency is never checked twice at once.
   */
  refresh(): Promise<void> {
    this.#evaluation ??= this.#evaluate().finally(() => {
      this.#evaluation = undefined;
    });
    return this.#evaluation;
  }

  /**
   * Reports every service NOT_SERVING from now on, whatever the checks say, and stops polling:
   * the first step of a graceful shutdown, so load balancers stop sending calls here.
   */
  setNotServing(): void {
    this.#shuttingDown = true;
    this.stop();
    this.#publish();
  }

  async #evaluate(): Promise<void> {
    const outcomes = await Promise.all(
      this.#checks.map(
        async (check) => [check, await runHealthCheck(check.run, this.#checkTimeoutMs)] as const,
      ),
    );
    for (const [check, outcome] of outcomes) this.#outcomes.set(check, outcome);
    this.#publish();
  }

  #publish(): void {
    for (const service of this.#services) {
      const failures = this.#shuttingDown ? [] : this.failures(service);
      const status: ServingStatus = this.#shuttingDown || failures.length > 0 ? 'NOT_SERVING' : 'SERVING';
      if (this.#published.get(service) === status) continue;
      this.#published.set(service, status);
      this.#implementation.setStatus(service, status);
      this.#onChange?.({ service, status, failures, shuttingDown: this.#shuttingDown });
    }
  }
}
