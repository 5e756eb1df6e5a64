import type { CircuitState } from './circuit-breaker-options.js';
import { FailureWindow } from './failure-window.js';

/** The resolved settings of a circuit. */
export interface CircuitSettings {
  readonly consecutiveFailures: number;
  readonly failureRatio: number;
  readonly minimumCalls: number;
  readonly windowMs: number;
  readonly openMs: number;
  readonly halfOpenProbes: number;
  readonly onStateChange: (state: CircuitState, previous: CircuitState) => void;
}

/** Whether a call may go out, and the ticket to report its outcome with. */
export type Admission =
  | { readonly admitted: true; readonly ticket: { readonly generation: number; readonly probe: boolean } }
  | {
      readonly admitted: false;
      readonly state: 'open' | 'half-open';
      readonly retryAfterMs: number | undefined;
    };

/** How a call ended, for the circuit: a failure of the target, an answer, or no information. */
export type CallVerdict = 'failure' | 'success' | 'ignored';

/**
 * One target's circuit-breaker state machine: closed -> open after too many failures;
 * open -> half-open once `openMs` passed; half-open -> closed when every probe succeeded,
 * -> open at the first failed probe. Outcomes of calls admitted in an earlier state (an
 * earlier generation) are ignored.
 */
export class Circuit {
  private state: CircuitState = 'closed';
  private generation = 0;
  private consecutive = 0;
  private openUntil = 0;
  private probesStarted = 0;
  private probesSucceeded = 0;
  private lastProbeAt = 0;
  private readonly window: FailureWindow;

  constructor(private readonly settings: CircuitSettings) {
    this.window = new FailureWindow(settings.windowMs);
  }

  get currentState(): CircuitState {
    return this.state;
  }

  admit(now: number): Admission {
    if (this.state === 'open') {
      if (now < this.openUntil) return { admitted: false, state: 'open', retryAfterMs: this.openUntil - now };
      this.transition('half-open');
    }
    if (this.state === 'half-open') {
      // A probe that never answers (a stream without deadline) must not keep the circuit shut.
      if (
        this.probesStarted >= this.settings.halfOpenProbes &&
        now - this.lastProbeAt >= this.settings.openMs
      ) {
        this.transition('half-open');
      }
      if (this.probesStarted >= this.settings.halfOpenProbes) {
        return { admitted: false, state: 'half-open', retryAfterMs: undefined };
      }
      this.probesStarted += 1;
      this.lastProbeAt = now;
      return { admitted: true, ticket: { generation: this.generation, probe: true } };
    }
    return { admitted: true, ticket: { generation: this.generation, probe: false } };
  }

  record(ticket: { generation: number; probe: boolean }, verdict: CallVerdict, now: number): void {
    if (ticket.generation !== this.generation) return;
    if (ticket.probe) {
      if (verdict === 'failure') return this.open(now);
      if (verdict === 'ignored') {
        this.probesStarted -= 1;
        return;
      }
      this.probesSucceeded += 1;
      if (this.probesSucceeded >= this.settings.halfOpenProbes) this.transition('closed');
      return;
    }
    if (verdict === 'ignored') return;
    this.window.add(now, verdict === 'failure');
    if (verdict === 'success') {
      this.consecutive = 0;
      return;
    }
    this.consecutive += 1;
    const { calls, failures } = this.window.totals(now);
    const ratioTripped =
      calls >= this.settings.minimumCalls && failures / calls >= this.settings.failureRatio;
    if (this.consecutive >= this.settings.consecutiveFailures || ratioTripped) this.open(now);
  }

  private open(now: number): void {
    this.openUntil = now + this.settings.openMs;
    this.transition('open');
  }

  private transition(state: CircuitState): void {
    const previous = this.state;
    this.state = state;
    this.generation += 1;
    this.consecutive = 0;
    this.probesStarted = 0;
    this.probesSucceeded = 0;
    this.window.clear();
    if (state !== previous) this.settings.onStateChange(state, previous);
  }
}
