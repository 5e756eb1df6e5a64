// Waiting for a server dev started (Zipkin, Prometheus) to answer its readiness URL.

/**
 * Resolves once `url` answers 2xx; rejects as soon as `child` exits first, naming `what` and its
 * `logFile`. Bounded by readiness alone: a loaded machine only makes it take longer.
 */
export async function httpReady({ child, url, what, logFile, intervalMs = 300 }) {
  const exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code ?? 1)));
  for (;;) {
    const outcome = await Promise.race([
      exited.then((code) => ({ code })),
      new Promise((resolveWait) => setTimeout(resolveWait, intervalMs)).then(() => undefined),
    ]);
    if (outcome) throw new Error(`${what} exited with ${outcome.code} while starting; its log is ${logFile}`);
    const ready = await fetch(url)
      .then((response) => response.ok)
      .catch(() => false);
    if (ready) return;
  }
}
