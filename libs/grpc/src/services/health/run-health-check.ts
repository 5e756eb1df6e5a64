import type { HealthCheck, HealthCheckResult } from './health-options.js';

/** How one check ended. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

function outcomeOf(result: HealthCheckResult): CheckOutcome {
  if (typeof result === 'boolean') return { ok: result, detail: result ? '' : 'check failed' };
  return { ok: result.ok, detail: result.detail ?? (result.ok ? '' : 'check failed') };
}

/**
 * Runs a check, bounded in time: a check that throws, rejects or does not settle within
 * `timeoutMs` is failing (its signal aborts, so it can release what it holds).
 */
export async function runHealthCheck(check: HealthCheck, timeoutMs: number): Promise<CheckOutcome> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      const detail = `no answer within ${timeoutMs} ms`;
      controller.abort(new Error(detail));
      resolve({ ok: false, detail });
    }, timeoutMs);
    timer.unref();
  });
  const checked = (async () => outcomeOf(await check(controller.signal)))().catch(
    (error: unknown): CheckOutcome => ({
      ok: false,
      detail: error instanceof Error ? error.message : String(error),
    }),
  );
  try {
    return await Promise.race([checked, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
