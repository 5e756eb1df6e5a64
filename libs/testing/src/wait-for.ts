/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Gives up after this long. Defaults to 30 s. */
  timeoutMs?: number;
  /** Probes this often. Defaults to 100 ms. */
  intervalMs?: number;
}

/**
 * Probes until `probe` returns something other than `undefined` or `false`, and returns it;
 * throws `timed out after N ms waiting for <what>` otherwise. For conditions a test cannot be
 * told about (a row another process writes, a metric another process counts), not for retrying
 * an assertion until it passes.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
